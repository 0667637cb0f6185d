/**
 * The "new messages" line: above the first message from someone else after the last one the
 * reader had seen with the tab visible, when they come back to the room or to the tab.
 * It stays until they next come back with something new.
 */
import { el } from './dom';
import { t } from './i18n';

const LINE = 'unread-line';

/** Puts the line above the first message after `seenId` not by `myUid`; returns it (undefined: nothing new). */
export function placeUnreadLine(list: HTMLElement, seenId: number, myUid: string): HTMLElement | undefined {
  let first: HTMLElement | undefined;
  // From the newest back: only the messages after seenId are looked at.
  for (let item = list.lastElementChild; item; item = item.previousElementSibling) {
    if (!(item instanceof HTMLElement) || !item.classList.contains('msg')) continue;
    if (Number(item.dataset.id) <= seenId) break;
    if (item.dataset.uid !== myUid) first = item;
  }
  if (!first) return undefined;
  list.querySelector(`.${LINE}`)?.remove();
  const line = el('li', LINE);
  line.append(el('span', undefined, t('newMessagesLine')));
  first.before(line);
  return line;
}

export function relabelUnreadLine(list: HTMLElement): void {
  const label = list.querySelector(`.${LINE} span`);
  if (label) label.textContent = t('newMessagesLine');
}
