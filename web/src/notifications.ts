/**
 * Desktop notifications, opt-in (a setting of this browser, asked for with the browser's own
 * permission prompt): for messages that mention the reader, and for every message of a room the
 * reader marked "notify all"; only while the tab is hidden (a visible page shows them itself);
 * silent (no sound). One notification per room and batch: a newer one replaces the room's last.
 */
import { excerpt } from './excerpt';
import { t } from './i18n';
import type { LogEntry, Tally } from './unread';

export const NOTIFY_KEY = 'chat.notify';

export type NotifyState = 'on' | 'off' | 'blocked' | 'unsupported';

export interface NotificationText {
  readonly title: string;
  readonly body: string;
}

/** The entries worth a notification: the mentions, or, in a "notify all" room, every new message. */
export function notable<T extends LogEntry>(tally: Tally<T>, notifyAll: boolean): T[] {
  return notifyAll ? tally.messages : tally.mentioning;
}

/** What a notification of `entries` (at least one) in `room` says. */
export function notificationText(room: string, entries: readonly LogEntry[], mentioning: number): NotificationText {
  const one = entries.length === 1 ? entries[0] : undefined;
  if (one)
    return {
      title: t(mentioning > 0 ? 'notifyMention' : 'notifyMessage', { name: one.user, room }),
      body: excerpt(one.text ?? ''),
    };
  return {
    title: t('notifyManyTitle', { room }),
    body:
      mentioning > 0
        ? t('notifyManyMentions', { n: entries.length, m: mentioning })
        : t('notifyMany', { n: entries.length }),
  };
}

type Store = Pick<Storage, 'getItem' | 'setItem'>;

export class Notifier {
  /** The choice, also where storage is disabled (it then lasts for this page). */
  private choice: string | null;

  constructor(
    private readonly storage: Store | undefined,
    /** Opens the room of a notification that was clicked. */
    private readonly open: (room: string) => void,
  ) {
    try {
      this.choice = storage?.getItem(NOTIFY_KEY) ?? null;
    } catch {
      this.choice = null;
    }
  }

  state(): NotifyState {
    if (typeof Notification === 'undefined') return 'unsupported';
    if (Notification.permission === 'denied') return 'blocked';
    return Notification.permission === 'granted' && this.choice === '1' ? 'on' : 'off';
  }

  /** Asks the browser for permission (a prompt the first time) and turns notifications on if given. */
  async enable(): Promise<NotifyState> {
    if (typeof Notification === 'undefined') return 'unsupported';
    let permission = Notification.permission;
    if (permission === 'default') {
      try {
        permission = await Notification.requestPermission();
      } catch {
        permission = 'denied';
      }
    }
    if (permission === 'granted') this.store('1');
    return this.state();
  }

  disable(): void {
    this.store('0');
  }

  /** Shows what `tally` (new in `room`) is worth, if notifications are on and the tab is hidden. */
  arrived<T extends LogEntry>(room: string, tally: Tally<T>, notifyAll: boolean): void {
    if (document.visibilityState !== 'hidden' || this.state() !== 'on') return;
    const entries = notable(tally, notifyAll);
    if (entries.length === 0) return;
    const { title, body } = notificationText(room, entries, tally.mentioning.length);
    try {
      const shown = new Notification(title, {
        body,
        tag: `chat-room-${room}`,
        silent: true,
        lang: document.documentElement.lang,
      });
      shown.onclick = () => {
        window.focus();
        this.open(room);
        shown.close();
      };
    } catch {
      // Some browsers allow notifications only from a service worker: then there are none.
    }
  }

  private store(value: string): void {
    this.choice = value;
    try {
      this.storage?.setItem(NOTIFY_KEY, value);
    } catch {
      // Storage may be disabled: the choice then lasts for this page only.
    }
  }
}
