/** Which parts of a message become links: http(s) URLs only, ending where chat apps end them. */
import { type Segment, splitLinks } from '#web/linkify';

const text = (t: string): Segment => ({ kind: 'text', text: t });
const link = (url: string): Segment => ({ kind: 'link', url });

describe('splitLinks', () => {
  it.each<[string, string, Segment[]]>([
    ['a plain URL', 'see https://example.com', [text('see '), link('https://example.com')]],
    ['an http URL with a path', 'http://example.com/a/b.html', [link('http://example.com/a/b.html')]],
    [
      'a query with &, kept whole',
      'https://example.com/search?q=a&lang=zh&x=1#top ok',
      [link('https://example.com/search?q=a&lang=zh&x=1#top'), text(' ok')],
    ],
    [
      'a trailing full stop',
      'Go to https://example.com/docs.',
      [text('Go to '), link('https://example.com/docs'), text('.')],
    ],
    [
      'trailing , ! ? : ;',
      'https://a.example, https://b.example! https://c.example? https://d.example: https://e.example;',
      [
        link('https://a.example'),
        text(', '),
        link('https://b.example'),
        text('! '),
        link('https://c.example'),
        text('? '),
        link('https://d.example'),
        text(': '),
        link('https://e.example'),
        text(';'),
      ],
    ],
    ['several stops at the end', 'https://example.com/?!.', [link('https://example.com/'), text('?!.')]],
    [
      'a ) that closes the sentence, not the URL',
      '(see https://example.com/page)',
      [text('(see '), link('https://example.com/page'), text(')')],
    ],
    [
      'a ) that the URL opened (Wikipedia)',
      'https://en.wikipedia.org/wiki/Mercury_(planet)',
      [link('https://en.wikipedia.org/wiki/Mercury_(planet)')],
    ],
    [
      'a Wikipedia URL inside brackets, then a full stop',
      '(https://en.wikipedia.org/wiki/Mercury_(planet)).',
      [text('('), link('https://en.wikipedia.org/wiki/Mercury_(planet)'), text(').')],
    ],
    [
      'a URL in Chinese text, ending at full-width punctuation',
      '看这个https://example.com/路径，好吗？https://example.com/a。',
      [text('看这个'), link('https://example.com/路径'), text('，好吗？'), link('https://example.com/a'), text('。')],
    ],
    ['upper-case scheme', 'HTTPS://EXAMPLE.COM', [link('HTTPS://EXAMPLE.COM')]],
    ['javascript:', 'javascript:alert(1)', [text('javascript:alert(1)')]],
    [
      'javascript: with slashes',
      'javascript://example.com/%0Aalert(1)',
      [text('javascript://example.com/%0Aalert(1)')],
    ],
    ['data:', 'data:text/html,<script>alert(1)</script>', [text('data:text/html,<script>alert(1)</script>')]],
    ['ftp:', 'ftp://example.com/file', [text('ftp://example.com/file')]],
    ['hxxp://, a defanged URL', 'hxxp://evil.example', [text('hxxp://evil.example')]],
    ['https// without a colon', 'https//x.example', [text('https//x.example')]],
    ['a scheme inside a word', 'xhttps://example.com', [text('xhttps://example.com')]],
    ['a scheme and nothing else', 'http:// and https://.', [text('http:// and https://.')]],
    [
      'HTML-looking text around a URL',
      '<a href="javascript:alert(1)">x</a> <b>https://example.com/?a=1&b=2</b> <img src=x onerror=alert(1)>',
      [
        text('<a href="javascript:alert(1)">x</a> <b>'),
        link('https://example.com/?a=1&b=2'),
        text('</b> <img src=x onerror=alert(1)>'),
      ],
    ],
    [
      'a URL in an attribute-looking text',
      '<a href="https://example.com/x">y</a>',
      [text('<a href="'), link('https://example.com/x'), text('">y</a>')],
    ],
    ['no URL at all', 'just words', [text('just words')]],
    ['nothing', '', []],
  ])('%s', (_, input, expected) => {
    expect(splitLinks(input)).toEqual(expected);
  });

  it('gives back the text exactly: the segments join to the message', () => {
    const input = 'a https://example.com/x?y=1&z=2). b http://c.example\nd';
    const joined = splitLinks(input)
      .map((s) => (s.kind === 'text' ? s.text : s.url))
      .join('');
    expect(joined).toBe(input);
  });
});
