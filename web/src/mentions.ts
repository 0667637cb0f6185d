/**
 * Mentions: `@` followed by a person's name, as the page finds them in message text.
 *
 * The rule (names may be in any script and may contain spaces):
 * - `@` starts a mention where it does not follow a letter, digit or mark (so `ana@example.com`
 *   mentions nobody);
 * - then the exact name, compared case-insensitively (`@ana` mentions "Ana");
 * - then the end of the text, white space, or punctuation: anything but a letter, digit or mark,
 *   so `@Anastasia` does not mention "Ana". Names that end in Chinese or Japanese characters need
 *   no separator (those scripts put no spaces between words): `@小明你好` mentions 小明;
 * - where several names fit, the longest wins (`@Sam Lee` is Sam Lee, not Sam).
 * Only the names given count: in a room, the people present and the reader themselves.
 */

export type MentionSegment =
  | { readonly kind: 'text'; readonly text: string }
  /** `text` is the `@name` as written; `name` is whose name it is. */
  | { readonly kind: 'mention'; readonly text: string; readonly name: string };

export interface Mention {
  /** Index of the `@`. */
  readonly start: number;
  /** Index just past the name. */
  readonly end: number;
  readonly name: string;
}

const WORD = /[\p{L}\p{N}\p{M}]/u;
/** Scripts written without spaces between words: a name in them needs no separator after it. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

const fold = (s: string): string => s.toLowerCase();

function lastCodePoint(text: string, end: number): string | undefined {
  return Array.from(text.slice(Math.max(0, end - 2), end)).pop();
}

function firstCodePoint(text: string, start: number): string | undefined {
  const cp = text.codePointAt(start);
  return cp === undefined ? undefined : String.fromCodePoint(cp);
}

/** The mentions of `names` in `text`, in order, none overlapping. */
export function findMentions(text: string, names: readonly string[]): Mention[] {
  const candidates = [...new Set(names.filter((n) => n.length > 0))]
    .sort((a, b) => b.length - a.length)
    .map((name) => ({ name, folded: fold(name), unspaced: UNSPACED.test(lastCodePoint(name, name.length) ?? '') }));
  const found: Mention[] = [];
  if (candidates.length === 0) return found;
  let at = text.indexOf('@');
  while (at !== -1) {
    const before = lastCodePoint(text, at);
    let next = at + 1;
    if (before === undefined || !WORD.test(before)) {
      for (const c of candidates) {
        const end = at + 1 + c.name.length;
        if (fold(text.slice(at + 1, end)) !== c.folded) continue;
        const after = firstCodePoint(text, end);
        if (after !== undefined && WORD.test(after) && !c.unspaced) continue;
        found.push({ start: at, end, name: c.name });
        next = end;
        break;
      }
    }
    at = text.indexOf('@', next);
  }
  return found;
}

/** Whether `text` mentions `name` (see the rule above). */
export function mentions(text: string, name: string): boolean {
  return findMentions(text, [name]).length > 0;
}

/** `text` cut into plain text and mentions of `names`. */
export function splitMentions(text: string, names: readonly string[]): MentionSegment[] {
  const segments: MentionSegment[] = [];
  let plain = 0;
  for (const m of findMentions(text, names)) {
    if (m.start > plain) segments.push({ kind: 'text', text: text.slice(plain, m.start) });
    segments.push({ kind: 'mention', text: text.slice(m.start, m.end), name: m.name });
    plain = m.end;
  }
  if (plain < text.length) segments.push({ kind: 'text', text: text.slice(plain) });
  return segments;
}

/** The same person's name, whatever the case it is written in. */
export const sameName = (a: string, b: string): boolean => fold(a) === fold(b);
