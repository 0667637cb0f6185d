/**
 * Which messages show collapsed, with "Show more": decided from the text alone (no layout is
 * read, so a flood of messages costs no measuring), with thresholds past which the collapsed
 * height (COLLAPSED_LINES, in styles.css) always hides something on the widest bubble.
 */
import { codePoints } from './types';

/** Lines past which a message collapses. */
export const MAX_LINES = 10;
/** Characters (code points) past which a message collapses: about ten full lines of Latin text. */
export const MAX_CHARS = 800;

export function isLong(text: string): boolean {
  // UTF-16 units are never fewer than code points: most texts need no counting.
  if (text.length > MAX_CHARS && codePoints(text) > MAX_CHARS) return true;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) if (++lines > MAX_LINES) return true;
  return false;
}
