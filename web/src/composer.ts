/**
 * The message box: Enter sends, Shift+Enter adds a line (and Enter while an input method is
 * composing, e.g. pinyin, is left to it). The box clears only when the send succeeded.
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
  private busy = false;
  private notice: { key: StringKey; vars?: Record<string, string | number> } | undefined;

  constructor(
    private readonly send: (text: string) => Promise<boolean>,
    private readonly onTyping: () => void,
  ) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.box.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        void this.submit();
      }
    });
    this.box.addEventListener('input', () => {
      this.updateCount();
      this.onTyping();
    });
    this.updateCount();
  }

  /** Removes the text of a message that has now been sent (after a retry), unless it was edited. */
  sent(text: string): void {
    if (this.box.value.trimEnd() === text) {
      this.box.value = '';
      this.updateCount();
    }
    this.showNotice(undefined);
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

  private async submit(): Promise<void> {
    const text = this.box.value.trimEnd();
    if (this.busy || text.trim() === '' || codePoints(text) > TEXT_MAX) return;
    this.busy = true;
    this.box.readOnly = true;
    try {
      if (await this.send(text)) this.sent(text);
    } finally {
      this.busy = false;
      this.box.readOnly = false;
    }
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
