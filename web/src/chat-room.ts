/**
 * One open room: polls it, renders what arrives, pages back through history, and sends.
 * A new ChatRoom is made for each room visited; stop() ends every timer and request.
 */
import { ErrorAnswer, readMessages, sendMessage } from './api';
import { msUntilNextDay } from './day-separators';
import { byId } from './dom';
import { excerpt } from './excerpt';
import { t, type StringKey } from './i18n';
import { MessageChanges } from './message-changes';
import type { NotableChange } from './message-updates';
import { MAX_RENDERED, MessageList } from './message-list';
import { PollScheduler, type PollOutcome } from './poll-scheduler';
import { newClientId } from './room';
import { isMessage, type Message, type MessagePage, type RoomState } from './types';
import { placeUnreadLine, relabelUnreadLine } from './unread-line';

/** A first visit shows this many of the newest messages, not the whole history. */
export const FIRST_PAGE = 50;
const OLDER_PAGE = 100;
const CATCH_UP_PAGE = 200;
/**
 * While catching up (hasMore), pages are rendered together when the catch-up ends, or once
 * this many have come. Every render lays out the list, and a reader at the bottom would only
 * see the last one: rendering a 10,000-message catch-up once makes MAX_RENDERED nodes, where
 * a render per 1,000 made 10,000 (and laid the list out ten times).
 */
const CATCH_UP_RENDER = 10 * MAX_RENDERED;
/**
 * Why a send failed when the connection, not the message, was at fault (no answer, or the
 * server busy): such a message goes again by itself once the connection is back.
 */
const RESENT_ON_RECONNECT: readonly StringKey[] = ['sendOffline', 'sendBusy'];
/** Nearer than this (px) to the top, older messages load by themselves. */
const TOP_SLACK = 80;

export interface RoomEvents {
  /** The server no longer accepts the session. */
  sessionEnded(): void;
  /** Failed polls in a row (0: connected). */
  connection(failures: number): void;
  /** Messages from others that arrived after the first page (visible tab or not). */
  arrived(fresh: readonly Message[]): void;
  /** The reader has seen (with the tab visible) every message up to this id. */
  seen(id: number): void;
  /** Why a send failed, for the composer's notice (undefined: a send succeeded, clear it). */
  sendProblem(key: StringKey | undefined, vars?: Record<string, string | number>): void;
  /** The room shows someone else now (API v2: who is here, who is typing). */
  roomState(state: RoomState): void;
}

export class ChatRoom {
  readonly list: MessageList;
  /** Edits, deletes and reactions: the reader's, and those that polls bring (API v2). */
  private readonly changes: MessageChanges;
  private readonly scheduler: PollScheduler;
  private readonly abort = new AbortController();
  private readonly olderButton = byId<HTMLButtonElement>('load-older');
  private readonly roomStart = byId('room-start');
  private readonly empty = byId('empty-room');
  private readonly jump = byId<HTMLButtonElement>('new-messages');
  private readonly live = byId('live');
  private lastId = 0;
  /** The room state last shown (API v2); sent with each poll, so that a change of it ends a hold. */
  private state: string | undefined;
  private loaded = false;
  private loadingOlder = false;
  private stopped = false;
  private unseen = 0;
  /** The highest id seen with the tab visible. */
  private seenId: number;
  private readonly firstVisit: boolean;
  /** The reader was at the bottom when they last scrolled. */
  private stuck = true;
  private readonly resizes: ResizeObserver;
  /** Messages fetched during a catch-up, not rendered yet. */
  private arrived: Message[] = [];
  /** Sends go out one at a time, in the order they were written, so they are stored in that order. */
  private outbox: Promise<void> = Promise.resolve();
  /** A poll failed, or the browser went offline, since the last poll that got through. */
  private disconnected = false;
  /** Fires at the next midnight, when "Today" becomes "Yesterday". */
  private dayTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly room: string,
    private readonly me: { readonly name: string; readonly uid: string },
    private readonly events: RoomEvents,
    /** The last message the reader had seen here, last time (undefined: a first visit): the "new messages" line goes after it. */
    seenId?: number,
  ) {
    this.firstVisit = seenId === undefined;
    this.seenId = seenId ?? 0;
    this.list = new MessageList(me, { retry: (id) => void this.retry(id), discard: (id) => this.list.discard(id) });
    this.changes = new MessageChanges(
      room,
      me,
      () => this.events.sessionEnded(),
      () => this.list.mentionNames,
    );
    this.scheduler = new PollScheduler(
      (wait) => this.poll(wait),
      (failures) => this.connection(failures),
    );
    this.olderButton.onclick = () => void this.loadOlder();
    this.jump.onclick = () => {
      this.list.scrollToBottom();
      this.seen();
    };
    this.list.pane.onscroll = () => {
      this.stuck = this.list.isAtBottom();
      if (this.stuck) this.seen();
      if (this.list.pane.scrollTop < TOP_SLACK) void this.loadOlder();
    };
    this.jump.hidden = true;
    this.updateHistory();
    // A reader at the bottom stays there when the pane or what is in it changes size (a
    // message box growing, a panel opening, a failed message showing its buttons).
    this.resizes = new ResizeObserver(() => {
      if (this.stuck) this.list.scrollToBottom();
    });
    for (const id of ['message-pane', 'messages', 'pending']) this.resizes.observe(byId(id));
  }

  start(): void {
    this.scheduler.start();
    this.nextDay();
  }

  private nextDay(): void {
    // A little after midnight, so that the clock is surely in the new day.
    this.dayTimer = setTimeout(() => {
      this.list.relabelDays();
      this.nextDay();
    }, msUntilNextDay(new Date()) + 1000);
  }

  /** Ends polling: the poll in flight, held or not, is aborted with every other request. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.dayTimer);
    this.resizes.disconnect();
    this.scheduler.stop();
    this.abort.abort();
    this.changes.stop();
  }

  /** The browser is online again: what could not be sent goes now, and the room is asked at once. */
  online(): void {
    this.disconnected = true;
    this.resendUnsent();
    this.scheduler.pollNow();
  }

  offline(): void {
    this.disconnected = true;
  }

  noteActivity(): void {
    this.scheduler.noteActivity();
  }

  visibilityChanged(): void {
    if (document.visibilityState === 'visible') {
      // A tab asleep past midnight may have slept through its timer.
      this.list.relabelDays();
    }
    if (document.visibilityState === 'visible' && this.loaded) {
      // Back to the tab: the line goes above what came while it was hidden.
      placeUnreadLine(this.list.list, this.seenId, this.me.uid);
      this.markSeen();
    }
    this.scheduler.visibilityChanged();
  }

  /** The highest id this room's polls have brought (undefined: the first page has not come yet). */
  get headId(): number | undefined {
    return this.loaded ? this.lastId : undefined;
  }

  relabel(): void {
    this.list.relabel();
    relabelUnreadLine(this.list.list);
    this.changes.relabel();
    this.updateHistory();
    this.updateJump();
  }

  /** One poll: the newest page first, then what came after the highest id held, which the server may hold `wait` s. */
  private async poll(wait: number): Promise<PollOutcome> {
    let page: MessagePage;
    try {
      page = await readMessages(
        this.room,
        this.loaded
          ? { after: this.lastId, wait, ...(this.state !== undefined ? { state: this.state } : {}) }
          : { newest: true },
        this.loaded ? CATCH_UP_PAGE : FIRST_PAGE,
        this.abort.signal,
      );
    } catch (error) {
      if (this.stopped) return { kind: 'stop' };
      if (error instanceof ErrorAnswer && error.status === 401) {
        this.events.sessionEnded();
        return { kind: 'stop' };
      }
      return error instanceof ErrorAnswer && error.retryAfterMs !== undefined
        ? { kind: 'failed', retryAfterMs: error.retryAfterMs }
        : { kind: 'failed' };
    }
    if (this.stopped) return { kind: 'stop' };
    this.lastId = Math.max(this.lastId, page.lastId);
    // A page that stops short of the head carries no room state; the next one does.
    const changed = page.room !== undefined && page.room.state !== this.state;
    if (page.room && changed) {
      this.state = page.room.state;
      this.list.setPresent(page.room.present.filter((p) => p.uid !== this.me.uid).map((p) => p.name));
      this.events.roomState(page.room);
    }
    // A long catch-up renders in a few large batches rather than many small ones: each
    // render lays out and paints the whole list once.
    this.arrived.push(...page.messages.filter(isMessage));
    // Update entries change messages already shown, so they apply once their batch is rendered.
    this.changes.received(page.messages);
    if (!this.loaded || !page.hasMore || this.arrived.length >= CATCH_UP_RENDER) {
      const first = !this.loaded;
      const fresh = this.show(this.arrived);
      this.arrived = [];
      const told = this.changes.applyReceived();
      this.announce(fresh, first ? [] : told);
    }
    // A change of who is here ends a hold as news does, so an answer that soon is not a broken hold.
    return {
      kind: 'ok',
      hasMore: page.hasMore,
      pollAfterMs: page.pollAfterMs,
      news: page.messages.length > 0 || changed,
    };
  }

  /** Renders a batch; returns the messages from others it brought that are worth telling (none in the first read). */
  private show(messages: readonly Message[]): readonly Message[] {
    const first = !this.loaded;
    this.loaded = true;
    if (messages.length === 0) {
      if (first) this.updateHistory();
      this.markSeen();
      return [];
    }
    const atBottom = first || this.stuck || this.list.isAtBottom();
    let added: ReturnType<MessageList['append']> = { fresh: [], confirmed: [] };
    if (atBottom) {
      added = this.list.append(messages, MAX_RENDERED);
      this.updateHistory();
      this.list.scrollToBottom();
    } else {
      // A reader back in history keeps their place; the DOM is still bounded.
      this.list.keepingPosition(() => {
        added = this.list.append(messages, 2 * MAX_RENDERED);
        this.updateHistory();
      });
    }
    const { fresh, confirmed } = added;
    if (confirmed.length > 0) this.events.sendProblem(undefined);
    if (first) this.showWhereReadingStopped();
    this.markSeen();
    if (first || fresh.length === 0) return [];
    if (!atBottom) {
      this.unseen += fresh.length;
      this.updateJump();
    }
    this.events.arrived(fresh);
    return fresh;
  }

  /** Back in the room: the "new messages" line, and, if it is above the view, the view starts there. */
  private showWhereReadingStopped(): void {
    if (this.firstVisit) return;
    const line = placeUnreadLine(this.list.list, this.seenId, this.me.uid);
    if (!line) return;
    const pane = this.list.pane.getBoundingClientRect();
    if (line.getBoundingClientRect().top < pane.top) {
      line.scrollIntoView({ block: 'start' });
      this.stuck = this.list.isAtBottom();
    }
  }

  /** What is shown while the tab is visible has been seen. */
  private markSeen(): void {
    if (document.visibilityState !== 'visible' || this.list.newestId <= this.seenId) return;
    this.seenId = this.list.newestId;
    this.events.seen(this.seenId);
  }

  /** Tells a screen reader what came and what others edited or deleted, in one announcement. */
  private announce(fresh: readonly Message[], told: readonly NotableChange[]): void {
    const parts: string[] = [];
    const one = fresh.length === 1 ? fresh[0] : undefined;
    if (one) parts.push(t('announceOne', { name: one.user, text: excerpt(one.text) }));
    else if (fresh.length > 1) parts.push(t('newMessagesMany', { n: fresh.length }));
    const change = told.length === 1 ? told[0] : undefined;
    if (change?.kind === 'edited')
      parts.push(t('announceEdited', { name: change.user, text: excerpt(change.message.text) }));
    else if (change?.kind === 'deleted') parts.push(t('announceDeleted', { name: change.user }));
    else if (told.length > 1) parts.push(t('announceChanges', { n: told.length }));
    if (parts.length > 0) this.live.textContent = parts.join(' ');
  }

  private seen(): void {
    this.unseen = 0;
    this.updateJump();
  }

  private updateJump(): void {
    this.jump.hidden = this.unseen === 0;
    this.jump.textContent = this.unseen === 1 ? t('newMessagesOne') : t('newMessagesMany', { n: this.unseen });
  }

  private updateHistory(): void {
    const oldest = this.list.oldestId;
    this.olderButton.hidden = !this.loaded || oldest <= 1;
    this.olderButton.disabled = this.loadingOlder;
    this.olderButton.textContent = t(this.loadingOlder ? 'loadingOlder' : 'loadOlder');
    this.roomStart.hidden = !this.loaded || oldest !== 1;
    this.empty.hidden = !this.loaded || oldest !== 0 || this.list.size > 0;
  }

  async loadOlder(): Promise<void> {
    const before = this.list.oldestId;
    if (this.loadingOlder || !this.loaded || before <= 1) return;
    this.loadingOlder = true;
    this.updateHistory();
    let older: readonly Message[] = [];
    try {
      older = (await readMessages(this.room, { before }, OLDER_PAGE, this.abort.signal)).messages.filter(isMessage);
    } catch {
      // The button stays, so the reader can ask again; the indicator tells about the connection.
    }
    if (this.stopped) return;
    this.list.keepingPosition(() => {
      this.list.prepend(older);
      this.loadingOlder = false;
      this.updateHistory();
    });
  }

  /**
   * Sends `text`: at once on the page as "sending", on the wire after the sends before it. A
   * failed send of the same text is repeated with its clientId, so it is stored once.
   */
  send(text: string): void {
    void this.deliver(this.list.failedWithText(text) ?? newClientId(), text);
  }

  private async retry(clientId: string): Promise<void> {
    const text = this.list.textOf(clientId);
    if (text === undefined || this.list.isSending(clientId)) return;
    await this.deliver(clientId, text);
  }

  /** Polls failed, or the browser was offline, and now a poll got through. */
  private connection(failures: number): void {
    if (failures > 0) this.disconnected = true;
    else if (this.disconnected) {
      this.disconnected = false;
      // Once the scheduler has planned its next poll: a send notes activity, and noting it from
      // inside the scheduler's report would start a second poll beside that one.
      queueMicrotask(() => this.resendUnsent());
    }
    this.events.connection(failures);
  }

  /** Messages that failed for want of a connection go again, with their clientIds (so each is stored once). */
  private resendUnsent(): void {
    for (const clientId of this.list.failedFor(RESENT_ON_RECONNECT)) void this.retry(clientId);
  }

  private deliver(clientId: string, text: string): Promise<void> {
    this.list.showSending(clientId, text);
    this.list.scrollToBottom();
    this.scheduler.noteActivity();
    // post() never rejects, so one failed send does not hold back those after it.
    this.outbox = this.outbox.then(() => this.post(clientId, text));
    return this.outbox;
  }

  private async post(clientId: string, text: string): Promise<void> {
    // A poll may have brought it while it waited its turn (a resend whose first answer was lost).
    if (this.stopped || !this.list.isSending(clientId)) return;
    try {
      await sendMessage(this.room, text, clientId);
    } catch (error) {
      if (this.stopped) return;
      // A poll may have brought the stored message already, when only the answer was lost.
      if (this.list.textOf(clientId) === undefined) return;
      const [key, vars] = sendProblem(error);
      if (key === 'sessionEnded') this.events.sessionEnded();
      this.list.showFailed(clientId, key, vars);
      this.events.sendProblem(key, vars);
      return;
    }
    if (this.stopped) return;
    this.list.showSent(clientId);
    this.events.sendProblem(undefined);
    // A held poll wakes by itself with the message; a server that does not hold is asked now.
    this.scheduler.sent();
  }
}

function sendProblem(error: unknown): [StringKey, Record<string, string | number>?] {
  if (!(error instanceof ErrorAnswer)) return ['sendOffline'];
  switch (error.status) {
    case 401:
      return ['sessionEnded'];
    case 429:
      return ['slowDown', { s: Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000)) }];
    case 400:
    case 413:
      return ['textRejected'];
    default:
      return ['sendBusy'];
  }
}
