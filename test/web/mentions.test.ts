/** Mentions as the page finds them: `@` + the exact name, any case, then no letter or digit (see web/src/mentions.ts). */
import { findMentions, mentions, splitMentions } from '#web/mentions';

const names = (text: string, people: string[]) => findMentions(text, people).map((m) => text.slice(m.start, m.end));

describe('findMentions', () => {
  it('finds @name followed by the end, white space or punctuation, in any case', () => {
    expect(names('@Ana', ['Ana'])).toEqual(['@Ana']);
    expect(names('hi @ana, look', ['Ana'])).toEqual(['@ana']);
    expect(names('(@ANA) and @Ana!', ['Ana'])).toEqual(['@ANA', '@Ana']);
    expect(names('@Ana\nnext line', ['Ana'])).toEqual(['@Ana']);
  });

  it('does not take a longer word or an e-mail address for a mention', () => {
    expect(names('@Anastasia is here', ['Ana'])).toEqual([]);
    expect(names('write to ana@Ana.org', ['Ana'])).toEqual([]);
    expect(names('@Ana2', ['Ana'])).toEqual([]);
    expect(names('Ana without the at', ['Ana'])).toEqual([]);
  });

  it('takes names with spaces, the longest that fits', () => {
    expect(names('@Sam Lee can you look?', ['Sam', 'Sam Lee'])).toEqual(['@Sam Lee']);
    expect(names('@Sam can you look?', ['Sam', 'Sam Lee'])).toEqual(['@Sam']);
    expect(names('@Sam Leeds', ['Sam', 'Sam Lee'])).toEqual(['@Sam']);
  });

  it('finds names in Chinese, with or without a space after them', () => {
    expect(names('@小明 你好', ['小明'])).toEqual(['@小明']);
    expect(names('@小明，你好', ['小明'])).toEqual(['@小明']);
    expect(names('@小明你好', ['小明'])).toEqual(['@小明']);
    expect(names('你好@小明', ['小明'])).toEqual([]);
    expect(names('你好 @小明', ['小明'])).toEqual(['@小明']);
    expect(names('@小明明 来了', ['小明', '小明明'])).toEqual(['@小明明']);
  });

  it('finds names in other scripts and with emoji', () => {
    expect(names('@Émile, merci', ['émile'])).toEqual(['@Émile']);
    expect(names('привет @Оля!', ['оля'])).toEqual(['@Оля']);
    expect(names('@😀 hi', ['😀'])).toEqual(['@😀']);
  });

  it('finds several, none overlapping, and nothing without names', () => {
    expect(names('@Ana @Bo @Ana', ['Ana', 'Bo'])).toEqual(['@Ana', '@Bo', '@Ana']);
    expect(names('@@Ana', ['Ana'])).toEqual(['@Ana']);
    expect(names('@Ana', [])).toEqual([]);
    expect(names('@Ana', [''])).toEqual([]);
  });
});

describe('mentions', () => {
  it('tells whether a text mentions one name', () => {
    expect(mentions('thanks @robin!', 'Robin')).toBe(true);
    expect(mentions('thanks robin!', 'Robin')).toBe(false);
  });
});

describe('splitMentions', () => {
  it('cuts text into plain parts and mentions, losing nothing', () => {
    const text = 'hey @Ana and @小明: <b>@Bo</b>';
    const parts = splitMentions(text, ['Ana', '小明', 'Bo']);
    expect(parts).toEqual([
      { kind: 'text', text: 'hey ' },
      { kind: 'mention', text: '@Ana', name: 'Ana' },
      { kind: 'text', text: ' and ' },
      { kind: 'mention', text: '@小明', name: '小明' },
      { kind: 'text', text: ': <b>' },
      { kind: 'mention', text: '@Bo', name: 'Bo' },
      { kind: 'text', text: '</b>' },
    ]);
    expect(parts.map((p) => p.text).join('')).toBe(text);
  });
});
