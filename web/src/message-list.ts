/**
 * The list of messages in a room, in id order, plus our own messages still on their way, with
 * a line above the first message of each day. New messages are appended in one fragment per
 * batch (linear, never a re-render); runs and days within a batch are worked out from the
 * messages, and only where the batch meets the list from the DOM. The DOM is kept under a
 * bound by dropping the oldest nodes, which "load older" brings back.
 */
import { dayOf, type Day } from './day-separators';
import { byId } from './dom';
import { continues, type Said } from './grouping';
import type { StringKey } from './i18n';
import { t } from './i18n';
import {
  dayItem,
  explainTime,
  fillMessage,
  messageItem,
  pendingItem,
  relabelDays,
  relabelMessages,
  setPendingState,
  type MentionNames,
  type PendingActions,
} from './message-view';
import type { Message } from './types';

/** Messages kept in the DOM while the reader follows the newest ones. */
export const MAX_RENDERED = 3000;
/** How close to the bottom (px) still counts as "at the bottom". */
const BOTTOM_SLACK = 48;

interface Pending {
  readonly item: HTMLLIElement;
  readonly text: string;
  state: 'sending' | 'failed' | 'sent';
  reason?: { key: StringKey; vars?: Record<string, string | number> };
}

export class MessageList {
  readonly pane = byId('message-pane');
  /** The confirmed messages (and what sits between them: the "new messages" line). */
  readonly list = byId<HTMLOListElement>('messages');
  private readonly pendingList = byId<HTMLOListElement>('pending');
  private readonly pending = new Map<string, Pending>();
  private rendered = 0;
  /** The lowest id in the DOM (0: none). */
  oldestId = 0;
  /** The highest id in the DOM (0: none). */
  newestId = 0;
  private names: MentionNames;

  constructor(
    private readonly me: { readonly name: string; readonly uid: string },
    private readonly actions: PendingActions,
  ) {
    this.list.replaceChildren();
    this.pendingList.replaceChildren();
    this.pane.onpointerover = (event) => {
      if (event.target instanceof HTMLTimeElement && event.target.closest('.meta')) explainTime(event.target);
    };
    this.names = { me: me.name, present: [] };
  }

  /** Whose mentions show in the messages rendered now. */
  get mentionNames(): MentionNames {
    return this.names;
  }

  /** The names of the people present, whose mentions show in the messages rendered from now on. */
  setPresent(names: readonly string[]): void {
    this.names = { me: this.me.name, present: names };
  }

  get size(): number {
    return this.rendered;
  }

  isAtBottom(): boolean {
    const p = this.pane;
    return p.scrollHeight - p.scrollTop - p.clientHeight <= BOTTOM_SLACK;
  }

  scrollToBottom(): void {
    this.pane.scrollTop = this.pane.scrollHeight;
  }

  /**
   * Messages newer than the ones held, oldest first. Our own pending messages are confirmed in
   * place when their server copy arrives. With `bound`, the list then keeps only the newest
   * `bound` messages, and nodes that would be dropped at once are never made. Returns the
   * messages that were not ours, and the texts of ours that this confirmed before their send did.
   */
  append(messages: readonly Message[], bound?: number): { fresh: Message[]; confirmed: string[] } {
    const fresh: Message[] = [];
    const confirmed: string[] = [];
    const news = messages.filter((m) => m.id > this.newestId);
    const skip = bound !== undefined && news.length >= bound ? news.length - bound : -1;
    if (skip >= 0) {
      this.list.replaceChildren();
      this.rendered = 0;
      this.oldestId = 0;
    } else if (bound !== undefined) {
      this.trim(bound - news.length);
    }
    const batch = document.createDocumentFragment();
    let previous = skip >= 0 ? undefined : this.lastSaid();
    news.forEach((m, i) => {
      const own = m.clientId !== undefined && m.uid === this.me.uid ? this.pending.get(m.clientId) : undefined;
      const kept = i >= skip;
      let item: HTMLLIElement | undefined;
      if (own) {
        this.pending.delete(m.clientId!);
        // Also a send that failed on the way back: the server has it, so it is sent.
        if (own.state !== 'sent') confirmed.push(own.text);
        if (kept) item = fillMessage(own.item, m, this.me.uid, this.names);
        else own.item.remove();
      } else {
        if (kept) item = messageItem(m, this.me.uid, this.names);
        if (m.uid !== this.me.uid) fresh.push(m);
      }
      this.newestId = m.id;
      if (item) {
        previous = this.place(batch, item, m, previous);
        if (this.oldestId === 0) this.oldestId = m.id;
        this.rendered++;
      }
    });
    this.list.append(batch);
    this.mendPending();
    return { fresh, confirmed };
  }

  /** Adds `item` to `batch` after the message `previous`: under a new day's line, or in the run before it. */
  private place(batch: DocumentFragment, item: HTMLLIElement, m: Message, previous: Dated | undefined): Dated {
    const next = { uid: m.uid, ts: m.ts, day: dayOf(m.ts) };
    if (next.day !== previous?.day) batch.append(dayItem(next.day));
    item.classList.toggle('cont', continues(previous, next));
    batch.append(item);
    return next;
  }

  private lastSaid(): Dated | undefined {
    const last = this.list.lastElementChild;
    return last instanceof HTMLElement && last.classList.contains('msg') ? dated(last) : undefined;
  }

  /**
   * Runs `change`, which adds or removes content above the reader's view, without moving what
   * the reader sees: the newest message stays where it was on the screen.
   */
  keepingPosition(change: () => void): void {
    const reference = this.list.lastElementChild;
    const before = reference?.getBoundingClientRect().top;
    change();
    if (reference?.isConnected && before !== undefined)
      this.pane.scrollTop += reference.getBoundingClientRect().top - before;
  }

  /** Older messages, oldest first, put above the ones held (see keepingPosition). */
  prepend(messages: readonly Message[]): void {
    const older = messages.filter((m) => this.oldestId === 0 || m.id < this.oldestId);
    if (older.length === 0) return;
    const held = this.firstMessage();
    const batch = document.createDocumentFragment();
    let previous: Dated | undefined;
    for (const m of older) previous = this.place(batch, messageItem(m, this.me.uid, this.names), m, previous);
    this.list.prepend(batch);
    if (held) this.mend(held);
    this.oldestId = older[0]!.id;
    if (this.newestId === 0) this.newestId = older[older.length - 1]!.id;
    this.rendered += older.length;
  }

  /** Drops the oldest nodes beyond `max` (see keepingPosition). */
  trim(max = MAX_RENDERED): void {
    for (let first = this.list.firstElementChild; this.rendered > max && first; first = this.list.firstElementChild) {
      if (first.classList.contains('msg')) this.rendered--;
      first.remove();
    }
    const first = this.firstMessage();
    this.oldestId = first ? Number(first.dataset.id) : 0;
    if (first) this.mend(first);
  }

  private firstMessage(): HTMLElement | undefined {
    let item = this.list.firstElementChild;
    while (item && !item.classList.contains('msg')) item = item.nextElementSibling;
    return item instanceof HTMLElement ? item : undefined;
  }

  /**
   * The message shown just before `item`, on the same side of a day's line or not: in the list,
   * or, for the first of ours on its way, the list's last.
   */
  private previousMessage(item: Element): HTMLElement | undefined {
    let before = item.previousElementSibling;
    if (before?.classList.contains('day')) before = before.previousElementSibling;
    if (!before && item.parentElement === this.pendingList) before = this.list.lastElementChild;
    return before instanceof HTMLElement && before.classList.contains('msg') ? before : undefined;
  }

  /**
   * Where the list has changed next to `item`: puts the day's line above it when it starts a
   * day (and only then), and shows it as the start of a run, with its name, or as part of the
   * run before it.
   */
  private mend(item: HTMLElement): void {
    const previous = this.previousMessage(item);
    const own = dated(item);
    const line = item.previousElementSibling?.classList.contains('day') ? item.previousElementSibling : undefined;
    const startsDay = !previous || dated(previous).day !== own.day;
    if (startsDay && !line) item.before(dayItem(own.day));
    else if (!startsDay && line) line.remove();
    item.classList.toggle('cont', continues(previous && dated(previous), own));
  }

  /**
   * Ours on their way follow the list (and each other), which has just changed, or they have;
   * a day's line left behind by one that moved into the list goes.
   */
  private mendPending(): void {
    for (const line of [...this.pendingList.querySelectorAll(':scope > .day')]) {
      if (!line.nextElementSibling?.classList.contains('msg')) line.remove();
    }
    for (const item of [...this.pendingList.children]) {
      if (item instanceof HTMLElement && item.classList.contains('msg')) this.mend(item);
    }
  }

  /** "Today" becomes "Yesterday" at midnight. */
  relabelDays(): void {
    relabelDays(this.list);
    relabelDays(this.pendingList);
  }

  /** Shows our message at once as "sending"; an earlier failed copy with this clientId is reused. */
  showSending(clientId: string, text: string): void {
    let p = this.pending.get(clientId);
    if (!p) {
      p = { item: pendingItem(clientId, text, this.me.name, this.me.uid, this.names), text, state: 'sending' };
      this.pending.set(clientId, p);
      this.pendingList.append(p.item);
    }
    p.state = 'sending';
    delete p.reason;
    setPendingState(p.item, 'sending', '', this.actions);
    this.mendPending();
  }

  showFailed(clientId: string, key: StringKey, vars?: Record<string, string | number>): void {
    const p = this.pending.get(clientId);
    if (!p) return;
    p.state = 'failed';
    p.reason = vars ? { key, vars } : { key };
    setPendingState(p.item, 'failed', `${t('notSent')} ${t(key, vars)}`, this.actions);
    this.mendPending();
  }

  /** The server stored it; it moves into the list when a poll brings it, in id order. */
  showSent(clientId: string): void {
    const p = this.pending.get(clientId);
    if (!p || p.state === 'sent') return;
    p.state = 'sent';
    p.item.className = 'msg mine pending sent';
    p.item.querySelector('.status')?.remove();
    this.mendPending();
  }

  discard(clientId: string): void {
    this.pending.get(clientId)?.item.remove();
    this.pending.delete(clientId);
    this.mendPending();
  }

  /** The clientId of a failed send with exactly this text, so sending it again cannot store it twice. */
  failedWithText(text: string): string | undefined {
    for (const [clientId, p] of this.pending) if (p.state === 'failed' && p.text === text) return clientId;
    return undefined;
  }

  /** The clientIds of the failed sends that failed for one of `reasons`, oldest first. */
  failedFor(reasons: readonly StringKey[]): string[] {
    const ids: string[] = [];
    for (const [clientId, p] of this.pending) {
      if (p.state === 'failed' && p.reason && reasons.includes(p.reason.key)) ids.push(clientId);
    }
    return ids;
  }

  textOf(clientId: string): string | undefined {
    return this.pending.get(clientId)?.text;
  }

  isSending(clientId: string): boolean {
    return this.pending.get(clientId)?.state === 'sending';
  }

  relabel(): void {
    relabelMessages(this.list);
    relabelMessages(this.pendingList);
    for (const [clientId, p] of this.pending) {
      if (p.state === 'sending') setPendingState(p.item, 'sending', '', this.actions);
      else if (p.state === 'failed' && p.reason) this.showFailed(clientId, p.reason.key, p.reason.vars);
    }
    this.mendPending();
  }
}

/** A message as its runs and days see it. */
interface Dated extends Said {
  readonly day: Day;
}

function dated(item: HTMLElement): Dated {
  const ts = item.dataset.ts ?? '';
  return { uid: item.dataset.uid ?? '', ts, day: dayOf(ts) };
}
