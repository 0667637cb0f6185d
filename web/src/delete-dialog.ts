/**
 * "Delete this message?": a small modal dialog in the page (a <dialog>, so focus stays in it and
 * Esc cancels), showing the text it would delete. Cancel has the focus first.
 */
import { el } from './dom';
import { excerpt } from './excerpt';
import { t } from './i18n';

export class DeleteDialog {
  private readonly dialog = el('dialog', 'confirm');
  private readonly heading = el('h2', undefined);
  private readonly explain = el('p', undefined);
  private readonly quote = el('blockquote', 'quote');
  private readonly cancelButton = el('button', undefined);
  private readonly deleteButton = el('button', 'danger');
  private answer: ((confirmed: boolean) => void) | undefined;

  constructor(host: HTMLElement) {
    this.dialog.id = 'delete-dialog';
    this.heading.id = 'delete-heading';
    this.explain.id = 'delete-text';
    this.dialog.setAttribute('aria-labelledby', 'delete-heading');
    this.dialog.setAttribute('aria-describedby', 'delete-text');
    const form = el('form');
    form.method = 'dialog';
    this.cancelButton.value = 'cancel';
    this.deleteButton.value = 'delete';
    this.cancelButton.autofocus = true;
    const buttons = el('div', 'buttons');
    buttons.append(this.cancelButton, this.deleteButton);
    form.append(this.heading, this.explain, this.quote, buttons);
    this.dialog.append(form);
    this.dialog.addEventListener('close', () => {
      const answer = this.answer;
      this.answer = undefined;
      answer?.(this.dialog.returnValue === 'delete');
    });
    this.relabel();
    host.append(this.dialog);
  }

  /** Asks; true once the reader confirmed, false when they cancelled. */
  ask(text: string): Promise<boolean> {
    // The modal dialog keeps the page from asking twice; should it happen, the first question stands.
    if (this.dialog.open) return Promise.resolve(false);
    this.quote.textContent = excerpt(text);
    this.dialog.returnValue = '';
    return new Promise((resolve) => {
      this.answer = resolve;
      this.dialog.showModal();
    });
  }

  relabel(): void {
    this.heading.textContent = t('deleteHeading');
    this.explain.textContent = t('deleteText');
    this.cancelButton.textContent = t('cancel');
    this.deleteButton.textContent = t('deleteMessage');
  }

  remove(): void {
    if (this.dialog.open) this.dialog.close();
    this.dialog.remove();
  }
}
