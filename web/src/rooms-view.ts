/**
 * The list of joined rooms in the sidebar (a drawer on phones): each room a link to it, with
 * its unread count and a mark when something mentions the reader, a bell ("notify me of every
 * message here") and a button that leaves it. Items are updated in place, so the keyboard focus
 * stays where it is while counts change.
 */
import { byId, el } from './dom';
import { t } from './i18n';
import type { JoinedRoom } from './rooms';

export interface RoomsViewActions {
  leave(room: string): void;
  toggleNotifyAll(room: string): void;
}

const SVG = 'http://www.w3.org/2000/svg';
const BELL = 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0';
const CROSS = 'M6 6l12 12M18 6L6 18';

function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', path);
  svg.append(p);
  return svg;
}

interface Item {
  readonly li: HTMLLIElement;
  readonly link: HTMLAnchorElement;
  readonly mention: HTMLSpanElement;
  readonly count: HTMLSpanElement;
  readonly summary: HTMLSpanElement;
  readonly bell: HTMLButtonElement;
  readonly leave: HTMLButtonElement;
}

export class RoomsView {
  private readonly list = byId<HTMLUListElement>('rooms-list');
  private readonly items = new Map<string, Item>();

  constructor(private readonly actions: RoomsViewActions) {}

  render(rooms: readonly JoinedRoom[], open: string | undefined): void {
    for (const [name, item] of this.items) {
      if (!rooms.some((r) => r.name === name)) {
        item.li.remove();
        this.items.delete(name);
      }
    }
    rooms.forEach((room, i) => {
      const item = this.items.get(room.name) ?? this.make(room.name);
      this.fill(item, room, room.name === open);
      if (this.list.children[i] !== item.li) this.list.insertBefore(item.li, this.list.children[i] ?? null);
    });
  }

  /** Where the keyboard goes after `room` has left the list: the next room, else the one before. */
  focusAfterLeaving(index: number): boolean {
    const li = this.list.children[index] ?? this.list.children[index - 1];
    const link = li?.querySelector<HTMLAnchorElement>('.room-link');
    link?.focus();
    return link !== undefined && link !== null;
  }

  indexOf(room: string): number {
    const item = this.items.get(room);
    return item ? Array.prototype.indexOf.call(this.list.children, item.li) : -1;
  }

  /** The link of the open room (or the first), for the keyboard when the drawer opens. */
  focusCurrent(): boolean {
    const link =
      this.list.querySelector<HTMLAnchorElement>('.room-link[aria-current="page"]') ??
      this.list.querySelector<HTMLAnchorElement>('.room-link');
    link?.focus();
    return link !== null;
  }

  private make(name: string): Item {
    const li = el('li', 'room-item');
    li.dataset.room = name;
    const link = el('a', 'room-link');
    link.href = `#${name}`;
    const mention = el('span', 'room-mention', '@');
    mention.setAttribute('aria-hidden', 'true');
    const count = el('span', 'room-unread');
    count.setAttribute('aria-hidden', 'true');
    const summary = el('span', 'visually-hidden');
    link.append(el('span', 'room-name', `#${name}`), summary, mention, count);
    const bell = el('button', 'icon-button room-notify');
    bell.type = 'button';
    bell.append(icon(BELL));
    bell.addEventListener('click', () => this.actions.toggleNotifyAll(name));
    const leave = el('button', 'icon-button room-leave');
    leave.type = 'button';
    leave.append(icon(CROSS));
    leave.addEventListener('click', () => this.actions.leave(name));
    li.append(link, bell, leave);
    const item = { li, link, mention, count, summary, bell, leave };
    this.items.set(name, item);
    return item;
  }

  private fill(item: Item, room: JoinedRoom, current: boolean): void {
    item.li.classList.toggle('current', current);
    item.li.classList.toggle('has-unread', room.unread > 0);
    item.li.classList.toggle('mentioned', room.mentions > 0);
    if (current) item.link.setAttribute('aria-current', 'page');
    else item.link.removeAttribute('aria-current');
    item.mention.hidden = room.mentions === 0;
    item.count.hidden = room.unread === 0;
    item.count.textContent = room.unread > 999 ? '999+' : String(room.unread);
    const said = [
      ...(room.unread > 0 ? [t('roomUnread', { n: room.unread })] : []),
      ...(room.mentions > 0 ? [t('roomMentioned')] : []),
    ];
    item.summary.textContent = said.length > 0 ? ` (${said.join(', ')})` : '';
    item.bell.setAttribute('aria-pressed', String(room.notifyAll));
    item.bell.setAttribute('aria-label', t('notifyAllRoom', { room: room.name }));
    item.bell.title = t('notifyAllRoom', { room: room.name });
    item.leave.setAttribute('aria-label', t('leaveRoom', { room: room.name }));
    item.leave.title = t('leaveRoom', { room: room.name });
  }
}
