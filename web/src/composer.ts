/**
 * The message box: Enter sends, Shift+Enter adds a line (and Enter while an input method is
 * composing, e.g. pinyin, is left to it). The text of a message leaves the box the moment it is
 * sent: the message list holds it from then on (on its way, then sent, or not sent with Retry),
 * so the box is never locked and whatever is typed after Enter stays in it.
 */
import { byId } from './dom';
import { t, type StringKey } from './i18n';
import { TEXT_MAX, codePoints } from './types';

/** The counter appears when this few characters are left. */
const COUNT_FROM = 200;

export class Composer {
  private readonly form = byId<HTMLFormElement>('composer');
  readonly box = byId<HTMLTextAreaElement>('composer-text');
  private readonly button = byId<HTMLButtonElement>('composer-send');
  private readonly count = byId('composer-count');
  private readonly status = byId('composer-status');
  private notice: { key: StringKey; vars?: Record<string, string | number> } | undefined;

  constructor(
    /** Takes the message on its way; false: it could not (there is no room open). */
    private readonly send: (text: string) => boolean,
    private readonly onTyping: () => void,
  ) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.box.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        this.submit();
      }
    });
    this.box.addEventListener('input', () => {
      this.updateCount();
      this.onTyping();
    });
    this.updateCount();
  }

  showNotice(key: StringKey | undefined, vars?: Record<string, string | number>): void {
    this.notice = key ? (vars ? { key, vars } : { key }) : undefined;
    this.status.textContent = this.notice ? t(this.notice.key, this.notice.vars) : '';
  }

  relabel(): void {
    this.showNotice(this.notice?.key, this.notice?.vars);
    this.updateCount();
  }

  focus(): void {
    // On a phone, focusing would open the keyboard over the messages the reader came to see.
    if (!matchMedia('(pointer: coarse)').matches) this.box.focus({ preventScroll: true });
  }

  private submit(): void {
    const typed = this.box.value;
    const text = typed.trimEnd();
    if (text.trim() === '' || codePoints(text) > TEXT_MAX || !this.send(text)) return;
    // Only what was sent leaves the box.
    if (this.box.value.startsWith(typed)) this.box.value = this.box.value.slice(typed.length);
    this.updateCount();
  }

  private updateCount(): void {
    const left = TEXT_MAX - codePoints(this.box.value.trimEnd());
    this.count.textContent =
      left > COUNT_FROM ? '' : left >= 0 ? t('charsLeft', { n: left }) : t('charsOver', { n: -left });
    this.count.dataset.level = left < 0 ? 'over' : left <= COUNT_FROM ? 'near' : '';
    this.button.disabled = left < 0;
    this.box.setAttribute('aria-invalid', String(left < 0));
  }
}
