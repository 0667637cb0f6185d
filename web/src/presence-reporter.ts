/**
 * What the page tells the server of its user in the open room (API v2 presence), at the
 * pace the API's cost model assumes: `{}` on entering, every 30 s while the tab is visible
 * and on coming back to it; `typing: true` when typing starts, then at most every 3 s while
 * it goes on; `typing: false` when the text is cleared or after 6 s without a keystroke (a
 * message sent ends typing on the server by itself); `gone` on leaving the room or closing
 * the tab (a keepalive request, so it survives the tab). Presence is best effort: a call that
 * fails is not repeated, except "here" refused for now (429 or 503, as when someone goes through
 * several rooms in a few seconds and meets the presence limit): that is said again once, after
 * Retry-After, so the reader does not look absent until the next beat.
 */
import { ErrorAnswer, type PresenceBody, updatePresence } from './api';

/** When a refusal gives no Retry-After. */
const RETRY_DEFAULT_MS = 1_000;

export const BEAT_MS = 30_000;
export const TYPING_REPEAT_MS = 3_000;
export const TYPING_IDLE_MS = 6_000;

export class PresenceReporter {
  private beat: ReturnType<typeof setInterval> | undefined;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private typingSentAt: number | undefined;
  private left = false;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly room: string,
    /** Whether the reader lets others see that they are typing (a setting of this browser). */
    private readonly shareTyping: () => boolean,
  ) {}

  start(): void {
    this.say({});
    this.beat = setInterval(() => {
      if (document.visibilityState === 'visible') this.say({});
    }, BEAT_MS);
  }

  visibilityChanged(): void {
    if (document.visibilityState === 'visible') this.say({});
  }

  /** The composer's text changed. */
  input(text: string): void {
    if (text.trim() === '' || !this.shareTyping()) return this.stopTyping();
    const now = Date.now();
    if (this.typingSentAt === undefined || now - this.typingSentAt >= TYPING_REPEAT_MS) {
      this.typingSentAt = now;
      this.say({ typing: true });
    }
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  /** A message was sent: the server has ended typing with it. */
  sent(): void {
    this.typingSentAt = undefined;
    clearTimeout(this.idle);
  }

  stopTyping(): void {
    clearTimeout(this.idle);
    if (this.typingSentAt === undefined) return;
    this.typingSentAt = undefined;
    this.say({ typing: false });
  }

  /** Leaving the room, or the page: presence ends at once for the others. */
  leave(): void {
    if (this.left) return;
    this.left = true;
    clearInterval(this.beat);
    clearTimeout(this.idle);
    clearTimeout(this.retry);
    this.say({ gone: true }, true);
  }

  private say(body: PresenceBody, keepalive = false): void {
    if (this.left && !keepalive) return;
    updatePresence(this.room, body, keepalive).catch((error: unknown) => {
      const here = Object.keys(body).length === 0;
      const later = error instanceof ErrorAnswer && (error.status === 429 || error.status === 503);
      if (!here || !later || this.left || this.retry !== undefined) return;
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.say({});
      }, error.retryAfterMs ?? RETRY_DEFAULT_MS);
    });
  }
}
