/** The reactions on a message as DOM: one chip per emoji with its count, pressed when it includes you. */
import { el } from './dom';
import { t } from './i18n';
import type { Message } from './types';

/** The emoji the page offers (❤️ with VS16, so it shows as an emoji everywhere). */
export const PALETTE: readonly string[] = ['👍', '❤️', '😂', '😮', '😢', '🎉'];

/** A reaction chip toggles this reader's reaction with its emoji (data-emoji). */
export const CHIP = 'chip';

/** The chips of `m`, or undefined when it has no reaction. */
export function reactionChips(m: Message, myUid: string): HTMLDivElement | undefined {
  if (!m.reactions || m.reactions.length === 0) return undefined;
  const box = el('div', 'reactions');
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', t('reactionsLabel'));
  for (const r of m.reactions) {
    const chip = el('button', CHIP);
    chip.type = 'button';
    chip.dataset.emoji = r.emoji;
    chip.setAttribute('aria-pressed', String(r.uids.includes(myUid)));
    chip.title = t('reactionCount', { n: r.count, emoji: r.emoji });
    chip.append(el('span', 'emoji', r.emoji), el('span', 'count', String(r.count)));
    box.append(chip);
  }
  return box;
}

/** Labels that depend on the language, after a switch. */
export function relabelReactions(root: ParentNode): void {
  for (const box of root.querySelectorAll('.reactions')) box.setAttribute('aria-label', t('reactionsLabel'));
  for (const chip of root.querySelectorAll<HTMLElement>(`.${CHIP}[data-emoji]`)) {
    const n = chip.querySelector('.count')?.textContent ?? '';
    chip.title = t('reactionCount', { n, emoji: chip.dataset.emoji ?? '' });
  }
}
