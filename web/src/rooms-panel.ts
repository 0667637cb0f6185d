/**
 * The rooms sidebar at work: the joined rooms (rooms.ts) shown in the list (rooms-view.ts),
 * counted while they are in the background (background-checks.ts, room-watch.ts) and while the
 * open room's tab is hidden, the notifications they are worth (notifications.ts), the drawer
 * on phones, and the notification setting.
 */
import { CHECK_MS, BackgroundChecks } from './background-checks';
import { byId } from './dom';
import { t } from './i18n';
import { Notifier, type NotifyState } from './notifications';
import { checkRoom } from './room-watch';
import { ROOMS_KEY, RoomList } from './rooms';
import { RoomsView } from './rooms-view';
import type { Message } from './types';
import { tally, type LogEntry, type Reader, type Tally } from './unread';

/**
 * The time between two checks of one background room. Tests shorten it from an init script
 * (`window.chatTestHooks = { roomCheckMs: 500 }`); nothing in a link or the page can set it.
 */
function checkInterval(): number {
  const hook = (window as { chatTestHooks?: { roomCheckMs?: unknown } }).chatTestHooks?.roomCheckMs;
  return typeof hook === 'number' && hook > 0 ? hook : CHECK_MS;
}

function storage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}

const PHONE = '(max-width: 47.99rem)';

export class RoomsPanel {
  readonly rooms = new RoomList(storage());
  private readonly view: RoomsView;
  private readonly notifier: Notifier;
  private readonly chat = byId('chat-view');
  private readonly toggle = byId<HTMLButtonElement>('rooms-toggle');
  private readonly toggleCount = byId('rooms-toggle-count');
  private readonly backdrop = byId('rooms-backdrop');
  private readonly notifyToggle = byId<HTMLInputElement>('notify-toggle');
  private readonly notifyStatus = byId('notify-status');
  private open: string | undefined;
  private reader: Reader | undefined;
  private checks: BackgroundChecks | undefined;
  private abort: AbortController | undefined;

  constructor(
    /** Opens a room (the one after a room left, the one of a notification clicked). */
    private readonly navigate: (room: string) => void,
    /** The counts changed: the title shows the total. */
    private readonly changed: () => void,
  ) {
    this.view = new RoomsView({
      leave: (room) => this.leave(room),
      toggleNotifyAll: (room) => void this.toggleNotifyAll(room),
    });
    this.notifier = new Notifier(storage(), (room) => this.navigate(room));
    this.rooms.onChange(() => {
      this.render();
      this.checks?.roomsChanged();
      this.changed();
    });
    // Another tab of this browser joined, left or counted a room (the event comes from other tabs only).
    window.addEventListener('storage', (event) => {
      if ((event.key === ROOMS_KEY || event.key === null) && event.storageArea === storage()) this.rooms.reload();
    });
    this.toggle.addEventListener('click', () => this.setDrawer(!this.chat.classList.contains('drawer-open')));
    byId('rooms-close').addEventListener('click', () => this.setDrawer(false));
    this.backdrop.addEventListener('click', () => this.setDrawer(false, false));
    byId('rooms-panel').addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.drawerOpen()) this.setDrawer(false);
    });
    // Choosing a room in the drawer closes it.
    byId('rooms-list').addEventListener('click', (event) => {
      if (event.target instanceof Element && event.target.closest('.room-link')) this.setDrawer(false, false);
    });
    matchMedia(PHONE).addEventListener('change', () => this.setDrawer(false, false));
    this.notifyToggle.addEventListener('change', () => void this.setNotifications(this.notifyToggle.checked));
    this.showNotifyState(this.notifier.state());
  }

  /** Signed in: background checks begin. */
  start(reader: Reader): void {
    this.stop();
    this.reader = reader;
    const abort = new AbortController();
    this.abort = abort;
    this.checks = new BackgroundChecks(
      () => this.rooms.all().flatMap((r) => (r.name === this.open ? [] : [r.name])),
      (room) =>
        checkRoom(room, {
          rooms: this.rooms,
          reader,
          openRoom: () => this.open,
          arrived: (name, counted) => this.notify(name, counted),
          signal: abort.signal,
        }),
      checkInterval(),
    );
    this.checks.start();
    this.render();
  }

  /** Signed out or the session ended: no more checks. */
  stop(): void {
    this.checks?.stop();
    this.checks = undefined;
    this.abort?.abort();
    this.abort = undefined;
    this.open = undefined;
  }

  /** Logged out: this browser forgets the rooms (the name of a private room is its key). */
  forget(): void {
    this.stop();
    this.rooms.clear();
  }

  /**
   * A room opens: it joins the list, its counts are cleared; returns the last id the reader had
   * seen there (undefined: a first visit, with no "new messages" line).
   */
  opened(room: string): number | undefined {
    const joined = this.rooms.join(room);
    const seenId = joined.knownId === null && joined.seenId === 0 ? undefined : joined.seenId;
    this.open = room;
    if (document.visibilityState === 'visible') this.rooms.update(room, { unread: 0, mentions: 0 });
    this.render();
    this.checks?.roomsChanged();
    return seenId;
  }

  /** The open room closes; `headId`: the highest id its polls brought. */
  closed(room: string, headId: number | undefined): void {
    if (headId !== undefined) {
      const known = this.rooms.get(room)?.knownId ?? null;
      this.rooms.update(room, { knownId: Math.max(known ?? 0, headId) });
    }
    if (this.open === room) this.open = undefined;
    // Its polls just read it: its first check as a background room can wait its turn.
    this.checks?.checked(room);
  }

  /** Messages from others came in the open room. */
  arrived(room: string, fresh: readonly Message[]): void {
    if (!this.reader) return;
    // Another tab of this browser with this room open, or checking it, may have counted some of
    // these already: only what is past the room's known id counts, and then it is known.
    const known = this.rooms.get(room)?.knownId ?? null;
    const news = known === null ? fresh : fresh.filter((m) => m.id > known);
    if (news.length === 0) return;
    const counted = tally(news as readonly LogEntry[], this.reader);
    if (document.visibilityState === 'hidden') {
      const throughId = Math.max(...news.map((m) => m.id));
      this.rooms.add(room, counted.messages.length, counted.mentioning.length, throughId);
    }
    this.notify(room, counted);
  }

  seen(room: string, id: number): void {
    const known = this.rooms.get(room)?.knownId ?? null;
    this.rooms.update(room, { seenId: id, knownId: Math.max(known ?? 0, id) });
  }

  visibilityChanged(): void {
    if (document.visibilityState === 'visible' && this.open) this.rooms.update(this.open, { unread: 0, mentions: 0 });
  }

  totalUnread(): number {
    return this.rooms.totalUnread();
  }

  relabel(): void {
    this.render();
    this.showNotifyState(this.notifier.state());
  }

  private render(): void {
    this.view.render(this.rooms.all(), this.open);
    const total = this.rooms.totalUnread();
    this.toggleCount.hidden = total === 0;
    this.toggleCount.textContent = total > 999 ? '999+' : String(total);
    const label = total > 0 ? t('roomsToggleUnread', { n: total }) : t('roomsToggle');
    this.toggle.setAttribute('aria-label', label);
    this.toggle.title = label;
  }

  private notify(room: string, counted: Tally<LogEntry>): void {
    this.notifier.arrived(room, counted, this.rooms.get(room)?.notifyAll ?? false);
  }

  private leave(room: string): void {
    const index = this.view.indexOf(room);
    const wasOpen = room === this.open;
    this.rooms.leave(room);
    if (wasOpen) {
      const rest = this.rooms.all();
      this.navigate((rest[index] ?? rest[index - 1])?.name ?? 'lobby');
    }
    // The keyboard stays in the list: on the next room, else the field to join one.
    if (!this.view.focusAfterLeaving(index)) byId('room-name').focus();
  }

  private async toggleNotifyAll(room: string): Promise<void> {
    const notifyAll = !(this.rooms.get(room)?.notifyAll ?? false);
    this.rooms.update(room, { notifyAll });
    if (notifyAll && this.notifier.state() === 'off') await this.setNotifications(true);
  }

  private async setNotifications(on: boolean): Promise<void> {
    if (on) this.showNotifyState(await this.notifier.enable());
    else {
      this.notifier.disable();
      this.showNotifyState(this.notifier.state());
    }
  }

  private showNotifyState(state: NotifyState): void {
    this.notifyToggle.checked = state === 'on';
    this.notifyToggle.disabled = state === 'unsupported';
    this.notifyStatus.textContent =
      state === 'blocked' ? t('notifyBlocked') : state === 'unsupported' ? t('notifyUnsupported') : '';
  }

  private drawerOpen(): boolean {
    return this.chat.classList.contains('drawer-open');
  }

  /** The drawer on phones; while it is open, the page behind it is out of reach (inert). */
  private setDrawer(open: boolean, moveFocus = true): void {
    const phone = matchMedia(PHONE).matches;
    const wasOpen = this.drawerOpen();
    this.chat.classList.toggle('drawer-open', open && phone);
    this.toggle.setAttribute('aria-expanded', String(open && phone));
    this.backdrop.hidden = !(open && phone);
    for (const behind of this.chat.querySelectorAll<HTMLElement>('.topbar, .room')) behind.inert = open && phone;
    if (!moveFocus) return;
    if (open && phone) {
      if (!this.view.focusCurrent()) byId('room-name').focus();
    } else if (wasOpen) this.toggle.focus();
  }
}
