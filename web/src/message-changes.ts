/**
 * The changes to the messages of one open room (API v2): those that polls bring as update
 * entries, and the reader's own edits, deletes and reactions. A message shown is replaced by a
 * newer copy only (a higher rev, see message-updates.ts), from an update entry or an answer
 * alike; an update to a message that is not shown is let go (a history read brings it as it
 * now reads). A refused change (403, 404, 409) says so briefly on the message and reads the
 * message afresh; 429 waits as long as the server asks, says so, and tries again.
 */
import { ErrorAnswer, readMessages } from './api';
import { deleteMessage, editMessage, setReaction } from './change-api';
import { heldMessage, relabelChanges } from './changed-message-view';
import { DeleteDialog } from './delete-dialog';
import { byId, el } from './dom';
import { MessageEditor } from './edit-mode';
import { t, type StringKey } from './i18n';
import { MessageActions } from './message-actions';
import { isNewer, newestEntries, notableChanges, reactedWith, type NotableChange } from './message-updates';
import { fillMessage, type MentionNames } from './message-view';
import { isMessage, isUpdate, type Entry, type Message, type UpdateEntry } from './types';

/** How often a change the server found too fast is tried again. */
const RETRIES = 5;
/** How long a short notice stays on a message. */
const NOTICE_MS = 8000;

type Say = (key: StringKey | undefined, vars?: Record<string, string | number>) => void;

/** The notice for a change the server refused, and whether the message is worth reading again. */
function refusal(error: ErrorAnswer): { key: StringKey; refresh: boolean } {
  switch (error.code) {
    case 'forbidden':
      return { key: 'changeForbidden', refresh: true };
    case 'not_found':
      return { key: 'changeGone', refresh: true };
    case 'message_deleted':
      return { key: 'changeDeleted', refresh: true };
    case 'reaction_limit':
      return { key: 'reactionLimit', refresh: true };
    case 'invalid_text':
      return { key: 'textRejected', refresh: false };
    default:
      return { key: 'changeFailed', refresh: [403, 404, 409].includes(error.status) };
  }
}

interface Editing {
  readonly id: number;
  readonly editor: MessageEditor;
  /** Where the focus goes back to when the edit ends. */
  readonly returnTo: HTMLElement;
}

export class MessageChanges {
  private readonly list = byId<HTMLOListElement>('messages');
  private readonly composer = byId<HTMLTextAreaElement>('composer-text');
  private readonly live = byId('live');
  private readonly actions: MessageActions;
  private readonly dialog: DeleteDialog;
  private readonly abort = new AbortController();
  /** Update entries polled but not applied yet (their targets may still wait to be rendered). */
  private updates: UpdateEntry[] = [];
  private editing: Editing | undefined;
  /** Newer copies of the message being edited, shown once the edit ends. */
  private deferred: Message | undefined;
  private readonly notices = new Map<
    number,
    { key: StringKey; vars?: Record<string, string | number>; timer: ReturnType<typeof setTimeout> }
  >();
  /** Reactions on their way (`id emoji`), so a double click is one toggle. */
  private readonly reacting = new Set<string>();

  constructor(
    private readonly room: string,
    private readonly me: { readonly uid: string },
    private readonly sessionEnded: () => void,
    /** Whose mentions show, as the message list renders them now. */
    private readonly mentionNames: () => MentionNames,
  ) {
    this.actions = new MessageActions(this.list, me.uid, {
      react: (item, emoji) => void this.react(item, emoji),
      edit: (item) => this.startEdit(item, item),
      remove: (item) => void this.remove(item),
    });
    this.dialog = new DeleteDialog(this.list.closest('main') ?? document.body);
    // Up in an empty message box edits one's last message.
    this.composer.addEventListener(
      'keydown',
      (event) => {
        if (event.key !== 'ArrowUp' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
        if (event.isComposing || this.composer.value !== '') return;
        const item = this.lastOwn();
        if (!item) return;
        event.preventDefault();
        this.startEdit(item, this.composer);
      },
      { signal: this.abort.signal },
    );
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  stop(): void {
    this.abort.abort();
    this.actions.stopAll();
    this.dialog.remove();
    for (const notice of this.notices.values()) clearTimeout(notice.timer);
    this.notices.clear();
  }

  /** Takes the update entries of a poll's page; they apply once its messages are rendered. */
  received(entries: readonly Entry[]): void {
    for (const e of entries) if (isUpdate(e)) this.updates.push(e);
  }

  /** Applies the update entries received, to the messages shown now; returns the edits and deletes by others among them. */
  applyReceived(): NotableChange[] {
    const updates = this.updates;
    this.updates = [];
    const held = (id: number) => {
      const item = this.itemOf(id);
      return item ? heldMessage(item) : undefined;
    };
    const newest = newestEntries(updates);
    const told = notableChanges(newest, held, this.me.uid);
    for (const u of newest.values()) this.apply(u.message);
    return told;
  }

  /** Shows `m` in place of the copy on the page, when it is newer (a message not shown is let go). */
  apply(m: Message): void {
    const item = this.itemOf(m.id);
    if (!item) return;
    if (this.editing?.id === m.id) {
      if (!isNewer(this.deferred ?? heldMessage(item), m)) return;
      if (!m.deleted) {
        this.deferred = m;
        return;
      }
      // Deleted elsewhere (by the author on another device): nothing is left to edit.
      this.endEdit();
    }
    if (isNewer(heldMessage(item), m)) this.render(item, m);
  }

  relabel(): void {
    relabelChanges(this.list);
    this.actions.relabel();
    this.dialog.relabel();
    this.editing?.editor.relabel();
    for (const id of this.notices.keys()) this.placeNotice(id);
  }

  private itemOf(id: number): HTMLElement | undefined {
    const item = this.list.querySelector(`:scope > li.msg[data-id="${id}"]`);
    return item instanceof HTMLElement ? item : undefined;
  }

  private render(item: HTMLElement, m: Message): void {
    this.actions.rerender(item, () => {
      // The message's place in a run is its author's and time's, which no change alters.
      const cont = item.classList.contains('cont');
      fillMessage(item as HTMLLIElement, m, this.me.uid, this.mentionNames());
      item.classList.toggle('cont', cont);
      if (this.notices.has(m.id)) this.placeNotice(m.id);
    });
  }

  /** The reader's newest message that can still be edited. */
  private lastOwn(): HTMLElement | undefined {
    for (let item = this.list.lastElementChild; item; item = item.previousElementSibling) {
      const m = heldMessage(item);
      if (item instanceof HTMLElement && m && m.uid === this.me.uid && !m.deleted) return item;
    }
    return undefined;
  }

  // Notices

  private notify(id: number, key: StringKey, vars?: Record<string, string | number>): void {
    const held = this.notices.get(id);
    if (held) clearTimeout(held.timer);
    const timer = setTimeout(() => this.clearNotice(id), NOTICE_MS);
    this.notices.set(id, vars ? { key, vars, timer } : { key, timer });
    this.placeNotice(id);
    this.live.textContent = t(key, vars);
  }

  /** Tells how a change to message `id` goes, on the message (undefined: it went through). */
  private sayOn(id: number): Say {
    return (key, vars) => (key ? this.notify(id, key, vars) : this.clearNotice(id));
  }

  private clearNotice(id: number): void {
    const held = this.notices.get(id);
    if (!held) return;
    clearTimeout(held.timer);
    this.notices.delete(id);
    this.itemOf(id)?.querySelector('.change-notice')?.remove();
  }

  private placeNotice(id: number): void {
    const notice = this.notices.get(id);
    const item = this.itemOf(id);
    if (!notice || !item) return;
    let line = item.querySelector('.change-notice');
    if (!line) {
      line = el('p', 'change-notice');
      const chips = item.querySelector(':scope > .reactions');
      if (chips) chips.before(line);
      else item.append(line);
    }
    line.textContent = t(notice.key, notice.vars);
  }

  // Changes

  /**
   * Runs one change until it is done, refused, or failed; `say` tells the reader how it goes.
   * Returns the message as it now reads, or why it was refused.
   */
  private async run(
    id: number,
    change: () => Promise<Message>,
    say: Say,
  ): Promise<{ message: Message } | { refused?: StringKey }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const message = await change();
        say(undefined);
        return { message };
      } catch (error) {
        if (this.stopped) return {};
        if (!(error instanceof ErrorAnswer)) {
          say('changeFailed');
          return {};
        }
        if (error.status === 401) {
          this.sessionEnded();
          return {};
        }
        if (error.status === 429 && attempt < RETRIES) {
          const waitMs = Math.max(1000, error.retryAfterMs ?? 1000);
          say('changeWait', { s: Math.ceil(waitMs / 1000) });
          if (!(await this.sleep(waitMs))) return {};
          continue;
        }
        const { key, refresh } = refusal(error);
        if (!refresh) {
          say(key);
          return {};
        }
        void this.refresh(id);
        return { refused: key };
      }
    }
  }

  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(true), ms);
      this.abort.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve(false);
        },
        { once: true },
      );
    });
  }

  /** Reads the message as it now reads (the page before id + 1 holds it first). */
  private async refresh(id: number): Promise<void> {
    try {
      const page = await readMessages(this.room, { before: id + 1 }, 1, this.abort.signal);
      const m = page.messages.filter(isMessage).find((e) => e.id === id);
      if (m && !this.stopped) this.apply(m);
    } catch {
      // The connection indicator tells about the connection; the next change tries again.
    }
  }

  private async react(item: HTMLElement, emoji: string): Promise<void> {
    const m = heldMessage(item);
    if (!m || m.deleted) return;
    const key = `${m.id} ${emoji}`;
    if (this.reacting.has(key)) return;
    this.reacting.add(key);
    const on = !reactedWith(m, emoji, this.me.uid);
    try {
      const done = await this.run(m.id, () => setReaction(this.room, m.id, emoji, on), this.sayOn(m.id));
      if ('message' in done) this.apply(done.message);
      else if (done.refused) this.notify(m.id, done.refused);
    } finally {
      this.reacting.delete(key);
    }
  }

  private async remove(item: HTMLElement): Promise<void> {
    const m = heldMessage(item);
    if (!m || m.deleted || m.uid !== this.me.uid) return;
    const confirmed = await this.dialog.ask(m.text);
    if (this.stopped) return;
    if (item.isConnected) item.focus({ preventScroll: true });
    if (!confirmed) return;
    const done = await this.run(m.id, () => deleteMessage(this.room, m.id), this.sayOn(m.id));
    if ('message' in done) this.apply(done.message);
    else if (done.refused) this.notify(m.id, done.refused);
  }

  private startEdit(item: HTMLElement, returnTo: HTMLElement): void {
    const m = heldMessage(item);
    if (!m || m.deleted || m.uid !== this.me.uid) return;
    if (this.editing) this.endEdit();
    this.actions.hide();
    const id = m.id;
    const editor = new MessageEditor(item, m.text, {
      save: (text) => void this.save(id, text),
      cancel: () => this.endEdit(),
    });
    this.editing = { id, editor, returnTo };
    editor.open();
  }

  private async save(id: number, text: string): Promise<void> {
    const editing = this.editing;
    if (editing?.id !== id) return;
    editing.editor.setSaving(true);
    const done = await this.run(
      id,
      () => editMessage(this.room, id, text),
      (key, vars) => editing.editor.showProblem(key, vars),
    );
    if (this.editing !== editing) return;
    editing.editor.setSaving(false);
    if ('message' in done) {
      this.endEdit();
      this.apply(done.message);
    } else if (done.refused) {
      // Nothing can be saved to this message any more: the box goes, the notice goes on the message.
      this.endEdit();
      this.notify(id, done.refused);
    }
  }

  /** Closes the editor; the newer copies that came meanwhile show now. */
  private endEdit(): void {
    const editing = this.editing;
    if (!editing) return;
    this.editing = undefined;
    const wasFocused = editing.editor.item.contains(document.activeElement);
    editing.editor.close();
    const deferred = this.deferred;
    this.deferred = undefined;
    if (deferred) this.apply(deferred);
    if (wasFocused && editing.returnTo.isConnected) editing.returnTo.focus({ preventScroll: true });
  }
}
