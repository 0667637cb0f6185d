/**
 * One message as DOM: name (coloured by uid), a short uid tag, local time, and the text as typed
 * (a long one collapsed) with its changes (edited, deleted, reactions); and the line that starts a day.
 */
import { showChanges } from './changed-message-view';
import { dayLabel, type Day } from './day-separators';
import { el } from './dom';
import { locale, t } from './i18n';
import { splitLinks } from './linkify';
import { isLong } from './long-message';
import { sameName, splitMentions } from './mentions';
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

let formatters: { locale: string; time: Intl.DateTimeFormat; full: Intl.DateTimeFormat } | undefined;
/** Time labels by minute: formatting is the costliest step of making a message, and a busy minute has many. */
const labels = new Map<string, string>();
const LABELS_KEPT = 2000;

function fmt() {
  const current = locale();
  if (formatters?.locale !== current) {
    formatters = {
      locale: current,
      time: new Intl.DateTimeFormat(current, { hour: 'numeric', minute: '2-digit' }),
      full: new Intl.DateTimeFormat(current, { dateStyle: 'full', timeStyle: 'medium' }),
    };
    labels.clear();
  }
  return formatters;
}

/** The time of day (the line above the day's first message says which day). */
export function formatTime(time: HTMLTimeElement): void {
  const f = fmt();
  // Every time zone in use is a whole number of minutes from UTC, so a UTC minute is a local one.
  const minute = time.dateTime.slice(0, 16);
  let label = labels.get(minute);
  if (label === undefined) {
    const date = new Date(time.dateTime);
    if (Number.isNaN(date.getTime())) return;
    if (labels.size >= LABELS_KEPT) labels.clear();
    label = f.time.format(date);
    labels.set(minute, label);
  }
  time.textContent = label;
  time.removeAttribute('title');
}

/** The full date and time as the pointer's tooltip, made when the pointer first comes (not for every message). */
export function explainTime(time: HTMLTimeElement): void {
  if (time.title) return;
  const date = new Date(time.dateTime);
  if (!Number.isNaN(date.getTime())) time.title = fmt().full.format(date);
}

/** The line above the first message of a day. */
export function dayItem(day: Day): HTMLLIElement {
  const item = el('li', 'day');
  item.dataset.day = day;
  const label = el('time');
  label.dateTime = day;
  item.append(label);
  labelDay(item, new Date());
  return item;
}

function labelDay(item: HTMLElement, now: Date): void {
  const label = item.firstElementChild;
  if (label)
    label.textContent = dayLabel(item.dataset.day ?? '', now, locale(), {
      today: t('today'),
      yesterday: t('yesterday'),
    });
}

/** "Today" and "Yesterday" move on at midnight; the dates follow the language. */
export function relabelDays(root: ParentNode, now = new Date()): void {
  for (const item of root.querySelectorAll<HTMLElement>('.day')) labelDay(item, now);
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

/** Whose `@name` shows as a mention: the people present, and the reader (`me`, always). */
export interface MentionNames {
  readonly me: string;
  readonly present: readonly string[];
}

/**
 * The text as typed, its web links as links and its mentions marked (made as DOM nodes: the
 * text is never parsed as HTML). Links first: an `@` inside a URL is part of the link.
 */
function messageText(text: string, names?: MentionNames): HTMLDivElement {
  const box = el('div', 'text');
  const who = names ? [names.me, ...names.present] : [];
  for (const segment of splitLinks(text)) {
    if (segment.kind === 'text') {
      for (const part of splitMentions(segment.text, who)) {
        if (part.kind === 'text') box.append(part.text);
        else box.append(el('span', names && sameName(part.name, names.me) ? 'mention me' : 'mention', part.text));
      }
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

let collapsible = 0;

/**
 * The text, and for a long one a "Show more" button that opens it. Collapsed, the whole text
 * is still there, only cut short on the screen: screen readers, selection and copy get all of it.
 */
function messageBody(text: string, box: HTMLDivElement): Node[] {
  if (!isLong(text)) return [box];
  box.id = `text-${++collapsible}`;
  box.classList.add('collapsed');
  const more = el('button', 'link more', t('showMore'));
  more.type = 'button';
  more.setAttribute('aria-expanded', 'false');
  more.setAttribute('aria-controls', box.id);
  more.addEventListener('click', () => {
    const open = box.classList.toggle('collapsed') === false;
    more.setAttribute('aria-expanded', String(open));
    more.textContent = t(open ? 'showLess' : 'showMore');
  });
  return [box, more];
}

/** Fills `item` (new or a pending one being confirmed) with the server's copy of a message. */
export function fillMessage(item: HTMLLIElement, m: Message, myUid: string, names?: MentionNames): HTMLLIElement {
  const mine = m.uid === myUid;
  const text = messageText(m.text, names);
  const forMe = !mine && text.querySelector('.mention.me') !== null;
  item.className = `msg hue-${hueOf(m.uid)}${mine ? ' mine' : ''}${forMe ? ' mentions-me' : ''}`;
  item.dataset.id = String(m.id);
  item.dataset.uid = m.uid;
  item.dataset.ts = m.ts;
  const head = meta(m.user, m.uid, mine);
  const time = el('time');
  time.dateTime = m.ts;
  formatTime(time);
  head.append(time);
  if (forMe) head.append(el('span', 'mention-mark', t('mentionsYou')));
  item.replaceChildren(head, ...messageBody(m.text, text));
  showChanges(item, m, myUid);
  return item;
}

export function messageItem(m: Message, myUid: string, names?: MentionNames): HTMLLIElement {
  return fillMessage(el('li'), m, myUid, names);
}

/** Labels that depend on the language, after a switch. */
export function relabelMessages(root: ParentNode): void {
  for (const time of root.querySelectorAll<HTMLTimeElement>('.meta time')) formatTime(time);
  relabelDays(root);
  for (const more of root.querySelectorAll('.more'))
    more.textContent = t(more.getAttribute('aria-expanded') === 'true' ? 'showLess' : 'showMore');
  for (const tag of root.querySelectorAll<HTMLElement>('.tag[data-uid]')) {
    const uid = tag.dataset.uid ?? '';
    tag.title = t('userTag', { tag: uid });
    if (tag.closest('.mine')) tag.textContent = t('you');
  }
  for (const mark of root.querySelectorAll('.mention-mark')) mark.textContent = t('mentionsYou');
}

export type PendingState = 'sending' | 'failed';

export interface PendingActions {
  retry(clientId: string): void;
  discard(clientId: string): void;
}

/** A message of ours that the server has not confirmed yet: "sending", or "not sent" with retry. */
export function pendingItem(
  clientId: string,
  text: string,
  myName: string,
  myUid: string,
  names?: MentionNames,
): HTMLLIElement {
  const item = el('li');
  item.dataset.clientId = clientId;
  item.dataset.uid = myUid;
  item.dataset.ts = new Date().toISOString();
  item.append(meta(myName, myUid, true), ...messageBody(text, messageText(text, names)));
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
