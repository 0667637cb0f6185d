/**
 * What the changes to a message add to its DOM (API v2): the "(edited)" mark with the edit time,
 * "Message deleted" in place of a deleted text, and the reaction chips. Called by fillMessage for
 * every message it renders, so a message reads the same whether it came changed in a history
 * read or was changed while shown; the text itself stays fillMessage's (DOM nodes, never HTML).
 */
import { el } from './dom';
import { locale, t } from './i18n';
import { reactionChips, relabelReactions } from './reactions-view';
import type { Message } from './types';

/** The copy each message item shows: its rev decides whether a later copy replaces it. */
const shown = new WeakMap<Element, Message>();

export function heldMessage(item: Element): Message | undefined {
  return shown.get(item);
}

let full: { locale: string; format: Intl.DateTimeFormat } | undefined;

function editedTitle(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  if (full?.locale !== locale())
    full = { locale: locale(), format: new Intl.DateTimeFormat(locale(), { dateStyle: 'full', timeStyle: 'medium' }) };
  return t('editedAt', { time: full.format.format(date) });
}

/** Adds the marks of `m`'s changes to `item`, which fillMessage has just filled with `m`. */
export function showChanges(item: HTMLLIElement, m: Message, myUid: string): void {
  shown.set(item, m);
  // Focusable, so the actions are reachable by keyboard (one message at a time is in the tab order).
  item.tabIndex = -1;
  item.classList.toggle('deleted', m.deleted === true);
  if (m.deleted) {
    const text = item.querySelector('.text');
    if (text) text.textContent = t('messageDeleted');
    return;
  }
  if (m.editedAt !== undefined) {
    const mark = el('span', 'edited', t('edited'));
    mark.dataset.editedAt = m.editedAt;
    mark.title = editedTitle(m.editedAt);
    item.querySelector('.meta')?.append(mark);
  }
  const chips = reactionChips(m, myUid);
  if (chips) item.append(chips);
}

/** Labels that depend on the language, after a switch. */
export function relabelChanges(root: ParentNode): void {
  for (const text of root.querySelectorAll('.msg.deleted .text')) text.textContent = t('messageDeleted');
  for (const mark of root.querySelectorAll<HTMLElement>('.edited[data-edited-at]')) {
    mark.textContent = t('edited');
    mark.title = editedTitle(mark.dataset.editedAt ?? '');
  }
  relabelReactions(root);
}
