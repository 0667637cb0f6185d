/**
 * Message text split into plain text and web links, so that the page can show links while
 * still never treating a message as HTML. Only http and https become links; where a URL ends
 * follows what chat apps do.
 */

export type Segment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'link'; readonly url: string };

/**
 * A scheme that starts a word, then everything up to white space, something HTML-like
 * (`<`, `>`, `"`), or punctuation of Chinese text, which never sits in a URL unencoded.
 */
const CANDIDATE = /\bhttps?:\/\/[^\s<>"，。、！？；：（）【】「」《》]+/gi;
/** Punctuation that ends a sentence, not a URL. */
const TRAILING = new Set(['.', ',', '!', '?', ':', ';']);
/** What a host starts with: a letter or digit of any script, or `[` for IPv6. */
const HOST_START = /^https?:\/\/[\p{L}\p{N}[]/iu;

/** The URL without the punctuation after it: a `)` stays only when the URL opened it. */
function trimEnd(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (last !== undefined && TRAILING.has(last)) end--;
    else if (last === ')' && count(url, '(', end) < count(url, ')', end)) end--;
    else return url.slice(0, end);
  }
}

function count(text: string, char: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (text[i] === char) n++;
  return n;
}

export function splitLinks(text: string): Segment[] {
  const segments: Segment[] = [];
  let plain = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const url = trimEnd(match[0]);
    if (!HOST_START.test(url)) continue;
    if (match.index > plain) segments.push({ kind: 'text', text: text.slice(plain, match.index) });
    segments.push({ kind: 'link', url });
    plain = match.index + url.length;
  }
  if (plain < text.length) segments.push({ kind: 'text', text: text.slice(plain) });
  return segments;
}
