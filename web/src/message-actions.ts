/**
 * The actions on a message: one toolbar (react with the palette; edit and delete one's own),
 * shown on the message under the pointer (desktop), the one pressed long (phone), or the one
 * with the keyboard focus. Messages are one stop in the tab order: the arrow keys move between
 * them, Tab goes on to the toolbar (whose arrow keys move between its buttons) and the reaction
 * chips, and Esc goes back to the message. The reaction chips toggle the reader's reaction.
 */
import { heldMessage } from './changed-message-view';
import { el } from './dom';
import { t } from './i18n';
import { reactedWith } from './message-updates';
import { CHIP, PALETTE } from './reactions-view';

/** How long a touch must rest on a message to show its actions. */
const LONG_PRESS_MS = 500;
/** A touch that moves farther than this (px) is a scroll, not a long press. */
const PRESS_SLOP = 10;

export interface ActionHandlers {
  react(item: HTMLElement, emoji: string): void;
  edit(item: HTMLElement): void;
  remove(item: HTMLElement): void;
}

/** A message of the list that actions apply to: confirmed, not deleted, not being edited. */
function actionable(item: Element | null | undefined): item is HTMLElement {
  return (
    item instanceof HTMLElement &&
    item.classList.contains('msg') &&
    item.dataset.id !== undefined &&
    !item.classList.contains('deleted') &&
    !item.classList.contains('editing')
  );
}

export class MessageActions {
  private readonly toolbar = el('div', 'actions');
  private readonly buttons: HTMLButtonElement[] = [];
  private readonly observer: MutationObserver;
  private readonly abort = new AbortController();
  /** The message showing the toolbar. */
  private host: HTMLElement | undefined;
  /** The message in the tab order, and whether the reader chose it (else it follows the newest). */
  private stop: HTMLElement | undefined;
  private chosen = false;
  private press: { timer: ReturnType<typeof setTimeout>; x: number; y: number } | undefined;
  /** The toolbar came from a long press: it goes once an action is taken. */
  private pressed = false;
  /** A re-render is taking nodes out: the focus it moves is not the reader's. */
  private rendering = false;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly myUid: string,
    private readonly handlers: ActionHandlers,
  ) {
    this.toolbar.setAttribute('role', 'toolbar');
    for (const emoji of PALETTE) this.toolbar.append(this.button('react', emoji));
    this.toolbar.append(this.button('edit'), this.button('delete'));
    this.relabel();
    const on = { signal: this.abort.signal };
    this.toolbar.addEventListener('click', (event) => this.toolbarClick(event), on);
    this.toolbar.addEventListener('keydown', (event) => this.toolbarKey(event), on);
    list.addEventListener('click', (event) => this.chipClick(event), on);
    list.addEventListener('keydown', (event) => this.messageKey(event), on);
    list.addEventListener('focusin', (event) => this.focusIn(event), on);
    list.addEventListener('focusout', (event) => this.focusOut(event), on);
    list.addEventListener('pointerover', (event) => this.pointerOver(event), on);
    list.addEventListener('pointerleave', (event) => this.pointerLeave(event), on);
    list.addEventListener('pointerdown', (event) => this.pointerDown(event), on);
    list.addEventListener('pointermove', (event) => this.pointerMove(event), on);
    for (const type of ['pointerup', 'pointercancel'] as const)
      list.addEventListener(type, () => this.cancelPress(), on);
    // A long press would also open the browser's menu; the actions take its place.
    list.addEventListener('contextmenu', (event) => this.pressed && event.preventDefault(), on);
    // A touch elsewhere puts away the toolbar a long press showed.
    document.addEventListener(
      'pointerdown',
      (event) => {
        if (this.pressed && !(event.target instanceof Node && this.host?.contains(event.target))) this.hide();
      },
      on,
    );
    this.observer = new MutationObserver(() => this.keepStop());
    this.observer.observe(list, { childList: true });
    this.keepStop();
  }

  private button(action: 'react' | 'edit' | 'delete', emoji?: string): HTMLButtonElement {
    const button = el('button', `action ${action}`, emoji);
    button.type = 'button';
    button.tabIndex = -1;
    button.dataset.action = action;
    if (emoji !== undefined) button.dataset.emoji = emoji;
    this.buttons.push(button);
    return button;
  }

  relabel(): void {
    this.toolbar.setAttribute('aria-label', t('messageActions'));
    for (const button of this.buttons) {
      if (button.dataset.emoji !== undefined) {
        button.setAttribute('aria-label', t('reactWith', { emoji: button.dataset.emoji }));
        button.title = t('reactWith', { emoji: button.dataset.emoji });
      } else {
        button.textContent = t(button.dataset.action === 'edit' ? 'editMessage' : 'deleteMessage');
      }
    }
  }

  stopAll(): void {
    this.abort.abort();
    this.observer.disconnect();
    this.cancelPress();
    this.toolbar.remove();
  }

  /** Shows the toolbar on `item`, for what the reader may do with it. */
  show(item: HTMLElement): void {
    if (!actionable(item)) return this.hide();
    const m = heldMessage(item);
    if (!m) return this.hide();
    const own = m.uid === this.myUid;
    for (const button of this.buttons) {
      if (button.dataset.emoji !== undefined)
        button.setAttribute('aria-pressed', String(reactedWith(m, button.dataset.emoji, this.myUid)));
      else button.hidden = !own;
    }
    if (this.host !== item) {
      this.host = item;
      this.pressed = false;
      this.setCurrent(this.buttons[0]);
    }
    item.classList.add('acting');
    if (this.toolbar.parentElement !== item) item.append(this.toolbar);
  }

  hide(): void {
    this.host?.classList.remove('acting');
    this.host = undefined;
    this.pressed = false;
    this.toolbar.remove();
  }

  /**
   * Runs `render`, which fills `item` afresh; the toolbar, the tab stop and the focus are put
   * back where they were (a chip that is gone leaves the focus on its message).
   */
  rerender(item: HTMLElement, render: () => void): void {
    const active = document.activeElement;
    const within = active instanceof HTMLElement && item.contains(active) && active !== item ? active : undefined;
    const chip = within?.classList.contains(CHIP) ? within.dataset.emoji : undefined;
    this.rendering = true;
    try {
      render();
      if (item === this.stop) item.tabIndex = 0;
      if (item === this.host) {
        if (actionable(item)) this.show(item);
        else this.hide();
      }
      if (within) {
        const again =
          chip !== undefined
            ? [...item.querySelectorAll<HTMLElement>(`.${CHIP}`)].find((c) => c.dataset.emoji === chip)
            : within.isConnected && !within.hidden
              ? within
              : undefined;
        (again ?? item).focus({ preventScroll: true });
      }
    } finally {
      this.rendering = false;
    }
  }

  /** Keeps exactly one message in the tab order: the reader's choice while it is there, else the newest. */
  private keepStop(): void {
    if (this.stop && this.chosen && this.stop.parentElement === this.list) return;
    let newest = this.list.lastElementChild;
    while (newest && !(newest instanceof HTMLElement && newest.classList.contains('msg')))
      newest = newest.previousElementSibling;
    this.setStop(newest instanceof HTMLElement ? newest : undefined, false);
  }

  private setStop(item: HTMLElement | undefined, chosen: boolean): void {
    this.chosen = chosen;
    if (item === this.stop) return;
    if (this.stop) this.stop.tabIndex = -1;
    this.stop = item;
    if (item) item.tabIndex = 0;
  }

  private setCurrent(button: HTMLButtonElement | undefined): void {
    for (const b of this.buttons) b.tabIndex = b === button ? 0 : -1;
  }

  private messageOf(target: EventTarget | null): HTMLElement | undefined {
    const item = target instanceof Element ? target.closest('li.msg') : null;
    return item instanceof HTMLElement && item.parentElement === this.list ? item : undefined;
  }

  private toolbarClick(event: MouseEvent): void {
    const button = event.target instanceof Element ? event.target.closest('button') : null;
    const item = this.host;
    if (!button || !item) return;
    this.setCurrent(button);
    const action = button.dataset.action;
    const touch = this.pressed;
    if (action === 'react' && button.dataset.emoji !== undefined) this.handlers.react(item, button.dataset.emoji);
    else if (action === 'edit') this.handlers.edit(item);
    else if (action === 'delete') this.handlers.remove(item);
    if (touch) this.hide();
  }

  private toolbarKey(event: KeyboardEvent): void {
    const shown = this.buttons.filter((b) => !b.hidden);
    const at = shown.indexOf(event.target as HTMLButtonElement);
    let next: HTMLButtonElement | undefined;
    if (event.key === 'ArrowRight') next = shown[(at + 1) % shown.length];
    else if (event.key === 'ArrowLeft') next = shown[(at - 1 + shown.length) % shown.length];
    else if (event.key === 'Home') next = shown[0];
    else if (event.key === 'End') next = shown[shown.length - 1];
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.host?.focus();
      return;
    }
    if (!next) return;
    event.preventDefault();
    event.stopPropagation();
    this.setCurrent(next);
    next.focus();
  }

  private chipClick(event: MouseEvent): void {
    const chip = event.target instanceof Element ? event.target.closest(`.${CHIP}`) : null;
    const item = this.messageOf(chip);
    if (chip instanceof HTMLElement && chip.dataset.emoji !== undefined && actionable(item))
      this.handlers.react(item, chip.dataset.emoji);
  }

  /** On a message itself: the arrow keys (and Home, End) move to another message. */
  private messageKey(event: KeyboardEvent): void {
    const item = this.messageOf(event.target);
    if (!item || event.target !== item || event.altKey || event.ctrlKey || event.metaKey) return;
    const step = (from: Element | null, forward: boolean): HTMLElement | undefined => {
      let next = from;
      do next = forward ? (next?.nextElementSibling ?? null) : (next?.previousElementSibling ?? null);
      while (next && !next.classList.contains('msg'));
      return next instanceof HTMLElement ? next : undefined;
    };
    let next: HTMLElement | undefined;
    if (event.key === 'ArrowUp') next = step(item, false);
    else if (event.key === 'ArrowDown') next = step(item, true);
    else if (event.key === 'Home') next = this.firstMessage();
    else if (event.key === 'End') next = this.lastMessage();
    else if (event.key === 'Escape' && this.host) {
      event.preventDefault();
      return this.hide();
    } else return;
    event.preventDefault();
    if (next) next.focus();
  }

  private firstMessage(): HTMLElement | undefined {
    let item = this.list.firstElementChild;
    while (item && !item.classList.contains('msg')) item = item.nextElementSibling;
    return item instanceof HTMLElement ? item : undefined;
  }

  private lastMessage(): HTMLElement | undefined {
    let item = this.list.lastElementChild;
    while (item && !item.classList.contains('msg')) item = item.previousElementSibling;
    return item instanceof HTMLElement ? item : undefined;
  }

  private focusIn(event: FocusEvent): void {
    const item = this.messageOf(event.target);
    if (!item) return;
    this.setStop(item, true);
    if (!this.toolbar.contains(event.target as Node)) this.show(item);
  }

  private focusOut(event: FocusEvent): void {
    if (this.rendering || !this.host) return;
    const to = event.relatedTarget;
    if (to instanceof Node && this.host.contains(to)) return;
    if (!this.host.matches(':hover') || to instanceof Node) this.hide();
  }

  /** The keyboard is working in the message with the toolbar (a click's focus does not count). */
  private keyboardWithin(): boolean {
    const active = document.activeElement;
    return (
      this.host !== undefined &&
      active instanceof HTMLElement &&
      this.host.contains(active) &&
      active.matches(':focus-visible')
    );
  }

  private pointerOver(event: PointerEvent): void {
    if (event.pointerType === 'touch' || this.pressed || this.keyboardWithin()) return;
    const item = this.messageOf(event.target);
    if (item) this.show(item);
    else this.hide();
  }

  private pointerLeave(event: PointerEvent): void {
    if (event.pointerType === 'touch' || this.pressed || !this.host) return;
    if (!this.keyboardWithin()) this.hide();
  }

  private pointerDown(event: PointerEvent): void {
    if (event.pointerType === 'mouse') return;
    const item = this.messageOf(event.target);
    if (!actionable(item) || (event.target instanceof Element && event.target.closest('button, a'))) return;
    this.cancelPress();
    const timer = setTimeout(() => {
      this.press = undefined;
      this.show(item);
      this.pressed = true;
    }, LONG_PRESS_MS);
    this.press = { timer, x: event.clientX, y: event.clientY };
  }

  private pointerMove(event: PointerEvent): void {
    if (this.press && Math.hypot(event.clientX - this.press.x, event.clientY - this.press.y) > PRESS_SLOP)
      this.cancelPress();
  }

  private cancelPress(): void {
    if (this.press) clearTimeout(this.press.timer);
    this.press = undefined;
  }
}
