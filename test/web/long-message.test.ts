/** Which messages show collapsed with "Show more": decided from the text alone. */
import { isLong, MAX_CHARS, MAX_LINES } from '#web/long-message';

describe('isLong', () => {
  it('leaves ordinary messages open', () => {
    expect(isLong('hello')).toBe(false);
    expect(isLong('x'.repeat(MAX_CHARS))).toBe(false);
    expect(isLong(Array.from({ length: MAX_LINES }, (_, i) => `line ${i}`).join('\n'))).toBe(false);
  });

  it('collapses a message of many lines', () => {
    expect(isLong(Array.from({ length: MAX_LINES + 1 }, (_, i) => `line ${i}`).join('\n'))).toBe(true);
    expect(isLong('\n'.repeat(MAX_LINES))).toBe(true);
  });

  it('collapses a message of many characters, counted as characters (code points), not UTF-16 units', () => {
    expect(isLong('x'.repeat(MAX_CHARS + 1))).toBe(true);
    expect(isLong('长'.repeat(MAX_CHARS + 1))).toBe(true);
    // Emoji are two UTF-16 units each: MAX_CHARS of them are MAX_CHARS characters.
    expect(isLong('😀'.repeat(MAX_CHARS))).toBe(false);
    expect(isLong('😀'.repeat(MAX_CHARS + 1))).toBe(true);
  });
});
