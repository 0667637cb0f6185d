/** One message as DOM: name (coloured by uid), a short uid tag, local time, and the text as typed. */
import { showChanges } from './changed-message-view';
import { el } from './dom';
import { locale, t } from './i18n';
import { splitLinks } from './linkify';
import type { Message } from './types';

/** Distinct colours for names; index.html's stylesheet defines .hue-0 … .hue-11. */
const HUES = 12;

export function hueOf(uid: string): number {
  let h = 0;
  for (let i = 0; i < uid.length; i++) h = (h * 31 + uid.charCodeAt(i)) | 0;
  return Math.abs(h) % HUES;
}

/** The uid's last four characters: enough to tell two people of the same name apart. */
export const tagOf = (uid: string): string => uid.slice(-4);

let formatters:
  | { locale: string; time: Intl.DateTimeFormat; dayTime: Intl.DateTimeFormat; full: Intl.DateTimeFormat }
  | undefined;

function fmt() {
  const current = locale();
  if (formatters?.locale !== current) {
    formatters = {
      locale: current,
      time: new Intl.DateTimeFormat(current, { hour: 'numeric', minute: '2-digit' }),
      dayTime: new Intl.DateTimeFormat(current, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }),
      full: new Intl.DateTimeFormat(current, { dateStyle: 'full', timeStyle: 'medium' }),
    };
  }
  return formatters;
}

/** Today's messages show the time; older ones the day too. */
export function formatTime(time: HTMLTimeElement): void {
  const date = new Date(time.dateTime);
  if (Number.isNaN(date.getTime())) return;
  const f = fmt();
  const today = new Date();
  const sameDay =
    date.getFullYear() === today.getFullYear() &&
    date.getMonth() === today.getMonth() &&
    date.getDate() === today.getDate();
  time.textContent = (sameDay ? f.time : f.dayTime).format(date);
  time.title = f.full.format(date);
}

function meta(user: string, uid: string, mine: boolean): HTMLDivElement {
  const box = el('div', 'meta');
  const name = el('span', 'user', user);
  const tag = el('span', 'tag', mine ? t('you') : `#${tagOf(uid)}`);
  tag.title = t('userTag', { tag: uid });
  tag.dataset.uid = uid;
  box.append(name, tag);
  return box;
}

/** The text as typed, its web links as links (made as DOM nodes: the text is never parsed as HTML). */
function messageText(text: string): HTMLDivElement {
  const box = el('div', 'text');
  for (const segment of splitLinks(text)) {
    if (segment.kind === 'text') {
      box.append(segment.text);
    } else {
      const link = el('a', undefined, segment.url);
      link.href = segment.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      box.append(link);
    }
  }
  return box;
}

/** Fills `item` (new or a pending one being confirmed) with the server's copy of a message. */
export function fillMessage(item: HTMLLIElement, m: Message, myUid: string): HTMLLIElement {
  const mine = m.uid === myUid;
  item.className = `msg hue-${hueOf(m.uid)}${mine ? ' mine' : ''}`;
  item.dataset.id = String(m.id);
  item.dataset.uid = m.uid;
  item.dataset.ts = m.ts;
  const head = meta(m.user, m.uid, mine);
  const time = el('time');
  time.dateTime = m.ts;
  formatTime(time);
  head.append(time);
  item.replaceChildren(head, messageText(m.text));
  showChanges(item, m, myUid);
  return item;
}

export function messageItem(m: Message, myUid: string): HTMLLIElement {
  return fillMessage(el('li'), m, myUid);
}

/** Labels that depend on the language, after a switch. */
export function relabelMessages(root: ParentNode): void {
  for (const time of root.querySelectorAll('time')) formatTime(time);
  for (const tag of root.querySelectorAll<HTMLElement>('.tag[data-uid]')) {
    const uid = tag.dataset.uid ?? '';
    tag.title = t('userTag', { tag: uid });
    if (tag.closest('.mine')) tag.textContent = t('you');
  }
}

export type PendingState = 'sending' | 'failed';

export interface PendingActions {
  retry(clientId: string): void;
  discard(clientId: string): void;
}

/** A message of ours that the server has not confirmed yet: "sending", or "not sent" with retry. */
export function pendingItem(clientId: string, text: string, myName: string, myUid: string): HTMLLIElement {
  const item = el('li');
  item.dataset.clientId = clientId;
  item.dataset.uid = myUid;
  item.dataset.ts = new Date().toISOString();
  item.append(meta(myName, myUid, true), messageText(text));
  return item;
}

export function setPendingState(
  item: HTMLLIElement,
  state: PendingState,
  reason: string,
  actions: PendingActions,
): void {
  const clientId = item.dataset.clientId ?? '';
  item.className = `msg mine pending ${state}`;
  item.dataset.state = state;
  item.dataset.reason = reason;
  const head = item.querySelector('.meta');
  head?.querySelector('.status')?.remove();
  const status = el('span', 'status');
  status.setAttribute('role', 'status');
  if (state === 'sending') {
    status.textContent = t('sending');
  } else {
    status.append(el('span', 'reason', reason));
    const retry = el('button', 'link', t('retry'));
    retry.type = 'button';
    retry.dataset.action = 'retry';
    retry.addEventListener('click', () => actions.retry(clientId));
    const discard = el('button', 'link', t('discard'));
    discard.type = 'button';
    discard.dataset.action = 'discard';
    discard.addEventListener('click', () => actions.discard(clientId));
    status.append(retry, discard);
  }
  head?.append(status);
}
