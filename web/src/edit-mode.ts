/**
 * Editing one's message in place: its text becomes a box (Enter saves, Shift+Enter adds a line,
 * Esc cancels; Enter while an input method is composing is left to it). A save that fails keeps
 * the box and its text open and says why. One message is edited at a time.
 */
import { el } from './dom';
import { t, type StringKey } from './i18n';
import { TEXT_MAX, codePoints } from './types';

/** Problems with the text itself (others, like no connection, leave the text valid). */
const INVALID: readonly StringKey[] = ['editEmpty', 'textRejected'];

export interface EditActions {
  /** The edited text (trimmed at its end), different from the message's. */
  save(text: string): void;
  /** Closed without a change (Esc, Cancel, or the same text). */
  cancel(): void;
}

export class MessageEditor {
  readonly box = el('textarea', 'edit-box');
  private readonly root = el('div', 'editor');
  private readonly problem = el('span', 'edit-problem');
  private readonly hint = el('span', 'hint');
  private readonly saveButton = el('button', 'save');
  private readonly cancelButton = el('button', 'link');
  /** The text element the box stands in for, put back when the edit ends. */
  private readonly text: Element | null;
  private notice: { key: StringKey; vars?: Record<string, string | number> } | undefined;
  private saving = false;

  constructor(
    readonly item: HTMLElement,
    private readonly original: string,
    private readonly actions: EditActions,
  ) {
    this.box.value = original;
    this.box.rows = 1;
    this.problem.id = 'edit-problem';
    this.hint.id = 'edit-hint';
    this.box.setAttribute('aria-describedby', 'edit-hint edit-problem');
    this.problem.setAttribute('aria-live', 'polite');
    this.saveButton.type = 'button';
    this.cancelButton.type = 'button';
    this.saveButton.dataset.edit = 'save';
    this.cancelButton.dataset.edit = 'cancel';
    this.saveButton.addEventListener('click', () => this.submit());
    this.cancelButton.addEventListener('click', () => this.actions.cancel());
    this.box.addEventListener('keydown', (event) => {
      // The message's own keys (moving between messages) are not the box's.
      event.stopPropagation();
      if (event.key === 'Escape') {
        event.preventDefault();
        this.actions.cancel();
      } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        this.submit();
      }
    });
    this.box.addEventListener('input', () => this.check());
    const foot = el('div', 'edit-foot');
    foot.append(this.problem, this.hint, this.cancelButton, this.saveButton);
    this.root.append(this.box, foot);
    this.text = item.querySelector('.text');
    if (this.text) this.text.replaceWith(this.root);
    else item.append(this.root);
    item.classList.add('editing');
    this.relabel();
  }

  open(): void {
    this.box.focus();
    this.box.setSelectionRange(this.box.value.length, this.box.value.length);
  }

  /** Whether the box is still in the message it edits (a re-render or a trim takes it out). */
  get attached(): boolean {
    return this.root.isConnected && this.item.contains(this.root);
  }

  /** Ends the edit: the text element comes back (unless the message has been rendered anew). */
  close(): void {
    if (this.attached && this.text) this.root.replaceWith(this.text);
    else this.root.remove();
    this.item.classList.remove('editing');
  }

  setSaving(saving: boolean): void {
    this.saving = saving;
    this.check();
  }

  /** Says why the save did not go through (undefined: nothing to say); the text stays. */
  showProblem(key: StringKey | undefined, vars?: Record<string, string | number>): void {
    this.notice = key ? (vars ? { key, vars } : { key }) : undefined;
    this.check();
  }

  relabel(): void {
    this.box.setAttribute('aria-label', t('editLabel'));
    this.hint.textContent = t('editHint');
    this.cancelButton.textContent = t('cancel');
    this.check();
  }

  private submit(): void {
    if (this.saving) return;
    const text = this.box.value.trimEnd();
    if (text === this.original.trimEnd()) return this.actions.cancel();
    if (text.trim() === '') return this.showProblem('editEmpty');
    if (codePoints(text) > TEXT_MAX) return;
    this.actions.save(text);
  }

  private check(): void {
    const over = codePoints(this.box.value.trimEnd()) - TEXT_MAX;
    const refused = this.notice !== undefined && INVALID.includes(this.notice.key);
    this.box.setAttribute('aria-invalid', String(over > 0 || refused));
    this.problem.textContent =
      over > 0 ? t('charsOver', { n: over }) : this.notice ? t(this.notice.key, this.notice.vars) : '';
    this.saveButton.textContent = t(this.saving ? 'saving' : 'save');
    this.saveButton.disabled = this.saving || over > 0;
  }
}
