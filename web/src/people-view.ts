/**
 * The room's live state on the page: the "here now" list (you first, then as the server
 * orders them: typing first, then the most recently active), the count in the header, and
 * the typing line above the composer ("小明 is typing…", "3 people are typing…").
 */
import { byId, el } from './dom';
import { t } from './i18n';
import { hueOf, tagOf } from './message-view';
import type { RoomState } from './types';

export class PeopleView {
  private readonly toggle = byId<HTMLButtonElement>('people-toggle');
  private readonly count = byId('people-count');
  private readonly list = byId<HTMLUListElement>('people-list');
  private readonly more = byId('people-more');
  private readonly typing = byId('typing-line');
  private state: RoomState | undefined;

  constructor(private readonly me: { readonly uid: string; readonly name: string }) {
    this.render();
  }

  show(state: RoomState | undefined): void {
    this.state = state;
    this.render();
  }

  relabel(): void {
    this.render();
  }

  private render(): void {
    const present = this.state?.present ?? [];
    const meThere = present.find((p) => p.uid === this.me.uid);
    const others = present.filter((p) => p.uid !== this.me.uid);
    const count = this.state?.presentCount ?? 0;
    this.count.textContent = String(count);
    this.toggle.setAttribute('aria-label', t('peopleHere', { n: count }));
    this.toggle.title = t('peopleHere', { n: count });

    const items = [{ uid: this.me.uid, name: this.me.name, typing: meThere?.typing ?? false }, ...others].map((p) => {
      const mine = p.uid === this.me.uid;
      const item = el('li', `person hue-${hueOf(p.uid)}${mine ? ' mine' : ''}`);
      item.dataset.uid = p.uid;
      const tag = el('span', 'tag', mine ? t('you') : `#${tagOf(p.uid)}`);
      tag.title = t('userTag', { tag: p.uid });
      item.append(el('span', 'user', p.name), tag);
      if (p.typing) item.append(el('span', 'typing-mark', t('typingMark')));
      return item;
    });
    this.list.replaceChildren(...items);
    const unlisted = count - present.length;
    this.more.hidden = unlisted <= 0;
    this.more.textContent = unlisted > 0 ? t('peopleMore', { n: unlisted }) : '';

    const typists = others.filter((p) => p.typing).map((p) => p.name);
    this.typing.textContent =
      typists.length === 0
        ? ''
        : typists.length === 1
          ? t('typingOne', { name: typists[0]! })
          : typists.length === 2
            ? t('typingTwo', { a: typists[0]!, b: typists[1]! })
            : t('typingMany', { n: typists.length });
  }
}
