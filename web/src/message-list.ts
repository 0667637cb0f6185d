/**
 * The list of messages in a room, in id order, plus our own messages still on their way.
 * New messages are appended in one fragment per batch (linear, never a re-render); the DOM
 * is kept under a bound by dropping the oldest nodes, which "load older" brings back.
 */
import { byId } from './dom';
import type { StringKey } from './i18n';
import { t } from './i18n';
import { fillMessage, messageItem, pendingItem, relabelMessages, setPendingState, type PendingActions } from './message-view';
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
  private readonly list = byId<HTMLOListElement>('messages');
  private readonly pendingList = byId<HTMLOListElement>('pending');
  private readonly pending = new Map<string, Pending>();
  private rendered = 0;
  /** The lowest id in the DOM (0: none). */
  oldestId = 0;
  /** The highest id in the DOM (0: none). */
  newestId = 0;

  constructor(
    private readonly me: { readonly name: string; readonly uid: string },
    private readonly actions: PendingActions,
  ) {
    this.list.replaceChildren();
    this.pendingList.replaceChildren();
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
   * place when their server copy arrives. Returns the messages that were not ours.
   */
  append(messages: readonly Message[]): Message[] {
    const fresh: Message[] = [];
    const batch = document.createDocumentFragment();
    for (const m of messages) {
      if (m.id <= this.newestId) continue;
      const own = m.clientId !== undefined && m.uid === this.me.uid ? this.pending.get(m.clientId) : undefined;
      if (own) {
        this.pending.delete(m.clientId!);
        batch.append(fillMessage(own.item, m, this.me.uid));
      } else {
        batch.append(messageItem(m, this.me.uid));
        if (m.uid !== this.me.uid) fresh.push(m);
      }
      this.newestId = m.id;
      if (this.oldestId === 0) this.oldestId = m.id;
      this.rendered++;
    }
    this.list.append(batch);
    return fresh;
  }

  /** Older messages, oldest first, put above the ones held without moving what the reader sees. */
  prepend(messages: readonly Message[]): void {
    const older = messages.filter((m) => this.oldestId === 0 || m.id < this.oldestId);
    if (older.length === 0) return;
    const batch = document.createDocumentFragment();
    for (const m of older) batch.append(messageItem(m, this.me.uid));
    const before = this.pane.scrollHeight;
    const top = this.pane.scrollTop;
    this.list.prepend(batch);
    this.pane.scrollTop = top + (this.pane.scrollHeight - before);
    this.oldestId = older[0]!.id;
    if (this.newestId === 0) this.newestId = older[older.length - 1]!.id;
    this.rendered += older.length;
  }

  /** Drops the oldest nodes beyond `max`. */
  trim(max = MAX_RENDERED): void {
    if (this.rendered <= max) return;
    const before = this.pane.scrollHeight;
    const top = this.pane.scrollTop;
    let first = this.list.firstElementChild;
    while (this.rendered > max && first) {
      const next = first.nextElementSibling;
      first.remove();
      this.rendered--;
      first = next;
    }
    this.oldestId = first instanceof HTMLElement ? Number(first.dataset.id) : 0;
    this.pane.scrollTop = Math.max(0, top - (before - this.pane.scrollHeight));
  }

  /** Shows our message at once as "sending"; an earlier failed copy with this clientId is reused. */
  showSending(clientId: string, text: string): void {
    let p = this.pending.get(clientId);
    if (!p) {
      p = { item: pendingItem(clientId, text, this.me.name, this.me.uid), text, state: 'sending' };
      this.pending.set(clientId, p);
      this.pendingList.append(p.item);
    }
    p.state = 'sending';
    delete p.reason;
    setPendingState(p.item, 'sending', '', this.actions);
  }

  showFailed(clientId: string, key: StringKey, vars?: Record<string, string | number>): void {
    const p = this.pending.get(clientId);
    if (!p) return;
    p.state = 'failed';
    p.reason = vars ? { key, vars } : { key };
    setPendingState(p.item, 'failed', `${t('notSent')} ${t(key, vars)}`, this.actions);
  }

  /** The server stored it; it moves into the list when a poll brings it, in id order. */
  showSent(clientId: string): void {
    const p = this.pending.get(clientId);
    if (!p || p.state === 'sent') return;
    p.state = 'sent';
    p.item.className = 'msg mine pending sent';
    p.item.querySelector('.status')?.remove();
  }

  discard(clientId: string): void {
    this.pending.get(clientId)?.item.remove();
    this.pending.delete(clientId);
  }

  /** The clientId of a failed send with exactly this text, so sending it again cannot store it twice. */
  failedWithText(text: string): string | undefined {
    for (const [clientId, p] of this.pending) if (p.state === 'failed' && p.text === text) return clientId;
    return undefined;
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
  }
}
