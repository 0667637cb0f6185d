/**
 * The chat page: wires the views (login, chat), the language, the room in the URL, and the
 * open ChatRoom together. Every user-supplied string reaches the page through textContent.
 */
import { ErrorAnswer, createDeviceLink, currentSession, login, loginWithLink, logout, useToken } from './api';
import { ChatRoom } from './chat-room';
import { Composer } from './composer';
import { connectionState, showConnection } from './connection';
import { byId } from './dom';
import { initialLang, lang, setLang, storedLang, t, translateStatic, type StringKey } from './i18n';
import { PeopleView } from './people-view';
import { PresenceReporter } from './presence-reporter';
import { inviteLink, isValidRoom, privateRoomName, roomFromHash } from './room';
import { RoomsPanel } from './rooms-panel';
import { forgetSession, lastName, loadSession, saveSession, type StoredSession } from './stored-session';
import { NAME_MAX, checkName } from './types';
import { badgedTitle } from './unread';

const loginView = byId('login-view');
const chatView = byId('chat-view');
const loginForm = byId<HTMLFormElement>('login-form');
const loginName = byId<HTMLInputElement>('login-name');
const loginButton = byId<HTMLButtonElement>('login-button');
const loginError = byId('login-error');
const roomForm = byId<HTMLFormElement>('room-form');
const roomInput = byId<HTMLInputElement>('room-name');
const roomError = byId('room-error');
const invitePanel = byId('invite-panel');
const inviteToggle = byId<HTMLButtonElement>('invite-toggle');
const inviteInput = byId<HTMLInputElement>('invite-link');
const inviteStatus = byId('invite-status');

const peopleToggle = byId<HTMLButtonElement>('people-toggle');
const peoplePanel = byId('people-panel');
const shareTyping = byId<HTMLInputElement>('share-typing');
/** Whether others may see that this reader is typing: a setting of this browser. */
const SHARE_TYPING_KEY = 'chat.shareTyping';

let session: StoredSession | undefined;
let room: ChatRoom | undefined;
let presence: PresenceReporter | undefined;
let people: PeopleView | undefined;
let loginProblem: StringKey | undefined;

const composer = new Composer(
  (text) => {
    if (!room) return false;
    room.send(text);
    // The server ends typing with the message.
    presence?.sent();
    return true;
  },
  () => {
    room?.noteActivity();
    presence?.input(composer.box.value);
  },
);

/** Opens `name`: through the address, so the back button returns; at once if the address names it already. */
function goToRoom(name: string): void {
  if (roomFromHash(location.hash) !== name) location.hash = name;
  else if (session && name !== room?.room) openRoom(name);
}

const rooms = new RoomsPanel(goToRoom, () => updateTitle());

/** The title carries the unread count of every joined room: "(3) #lobby · Chat". */
function updateTitle(): void {
  const base = room ? `#${room.room} · ${t('appTitle')}` : t('appTitle');
  document.title = badgedTitle(base, session ? rooms.totalUnread() : 0);
}

function showLoginProblem(problem: StringKey | undefined): void {
  loginProblem = problem;
  loginError.textContent = problem ? t(problem, { max: NAME_MAX }) : '';
  loginName.setAttribute(
    'aria-invalid',
    String(problem !== undefined && !['sessionEnded', 'loginTooOften', 'linkFailed'].includes(problem)),
  );
}

/** Leaves the open room: polling ends, and the others see this reader go at once. */
function leaveRoom(): void {
  // Polling first: the held poll is given up before `gone` could end it.
  room?.stop();
  if (room) rooms.closed(room.room, room.headId);
  room = undefined;
  presence?.leave();
  presence = undefined;
}

function showLogin(problem?: StringKey): void {
  leaveRoom();
  rooms.stop();
  chatView.hidden = true;
  loginView.hidden = false;
  if (!loginName.value) loginName.value = lastName();
  showLoginProblem(problem);
  updateTitle();
  loginName.focus();
}

function endSession(problem?: StringKey): void {
  if (problem === undefined) {
    // While the token is still known: `gone` for the room, then the logout that revokes the
    // token (a copy of it stops working too). Both go out before the token is forgotten.
    leaveRoom();
    logout().catch(() => undefined);
    rooms.forget();
  }
  session = undefined;
  forgetSession();
  useToken(undefined);
  showLogin(problem);
}

function enterChat(next: StoredSession): void {
  session = next;
  useToken(next.token);
  byId('whoami-name').textContent = next.name;
  rooms.start(next);
  loginView.hidden = true;
  chatView.hidden = false;
  openRoom(roomFromHash(location.hash));
}

function openRoom(name: string): void {
  if (!session) return;
  leaveRoom();
  const seenId = rooms.opened(name);
  const here = new PeopleView(session);
  people = here;
  showConnection('connected');
  room = new ChatRoom(
    name,
    session,
    {
      sessionEnded: () => endSession('sessionEnded'),
      connection: (failures) => showConnection(connectionState(failures, navigator.onLine)),
      arrived: (fresh) => rooms.arrived(name, fresh),
      seen: (id) => rooms.seen(name, id),
      sendProblem: (key, vars) => composer.showNotice(key, vars),
      roomState: (state) => here.show(state),
    },
    seenId,
  );
  presence = new PresenceReporter(name, () => shareTyping.checked);
  byId('room-title').textContent = t('roomHeading', { room: name });
  byId('room-title').title = name;
  // The field is for joining another room: the open one shows in the title and the list.
  roomInput.value = '';
  showRoomProblem(false);
  inviteInput.value = inviteLink(name, location);
  inviteStatus.textContent = '';
  composer.showNotice(undefined);
  updateTitle();
  room.start();
  presence.start();
  composer.focus();
}

function relabel(): void {
  translateStatic(document);
  if (loginProblem) showLoginProblem(loginProblem);
  if (roomInput.getAttribute('aria-invalid') === 'true') showRoomProblem(true);
  if (room) byId('room-title').textContent = t('roomHeading', { room: room.room });
  showConnection();
  composer.relabel();
  room?.relabel();
  people?.relabel();
  rooms.relabel();
  updateTitle();
}

loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void submitLogin();
});

/** The server's own rules for a name, checked here first so the reason shows next to the field. */
function nameProblem(checked: ReturnType<typeof checkName>, typed: string): StringKey | undefined {
  if (!('problem' in checked)) return undefined;
  if (checked.problem === 'length') return typed.trim() === '' ? 'nameEmpty' : 'nameTooLong';
  return checked.problem === 'control' ? 'nameControl' : 'nameNotText';
}

async function submitLogin(): Promise<void> {
  const checked = checkName(loginName.value);
  const problem = nameProblem(checked, loginName.value);
  showLoginProblem(problem);
  if (problem || !('name' in checked)) return loginName.focus();
  const { name } = checked;
  loginButton.disabled = true;
  loginButton.textContent = t('loggingIn');
  try {
    const { token, ...me } = await login(name);
    const next = { token, name: me.name, uid: me.uid, expiresAt: me.expiresAt };
    saveSession(next);
    enterChat(next);
  } catch (error) {
    showLoginProblem(
      error instanceof ErrorAnswer
        ? error.code === 'invalid_name'
          ? 'nameControl'
          : error.code === 'rate_limited'
            ? 'loginTooOften'
            : 'loginFailed'
        : 'loginOffline',
    );
    loginName.focus();
  } finally {
    loginButton.disabled = false;
    loginButton.textContent = t('loginButton');
  }
}

/** The room field's error and invalid state (its red outline) always come and go together. */
function showRoomProblem(invalid: boolean): void {
  roomError.textContent = invalid ? t('roomInvalid') : '';
  if (invalid) roomInput.setAttribute('aria-invalid', 'true');
  else roomInput.removeAttribute('aria-invalid');
}

roomForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = roomInput.value.trim();
  if (!isValidRoom(name)) {
    showRoomProblem(true);
    return roomInput.focus();
  }
  showRoomProblem(false);
  // The hash change opens the room, so the back button returns to the previous one.
  if (name !== room?.room) location.hash = name;
  else roomInput.value = '';
});

window.addEventListener('hashchange', () => {
  const name = roomFromHash(location.hash);
  if (session && name !== room?.room) openRoom(name);
});

byId('new-private').addEventListener('click', () => {
  location.hash = privateRoomName();
  setInviteOpen(true);
});

function setInviteOpen(open: boolean): void {
  invitePanel.hidden = !open;
  inviteToggle.setAttribute('aria-expanded', String(open));
  inviteStatus.textContent = '';
}

inviteToggle.addEventListener('click', () => setInviteOpen(invitePanel.hidden));

/** Copies a link field to the clipboard (or, where that is refused, the old way) and says how it went. */
async function copyLink(input: HTMLInputElement, status: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(input.value);
    status.textContent = t('copied');
  } catch {
    input.select();
    status.textContent = t(document.execCommand('copy') ? 'copied' : 'copyFailed');
  }
}

byId('invite-copy').addEventListener('click', () => void copyLink(inviteInput, inviteStatus));

const devicePanel = byId('device-panel');
const deviceToggle = byId<HTMLButtonElement>('device-toggle');
const deviceInput = byId<HTMLInputElement>('device-link');
const deviceStatus = byId('device-status');
/** A device link in the address: `#link=<code>` (a fragment never reaches a server log). */
const DEVICE_LINK_HASH = /^#link=([A-Za-z0-9_-]{22})$/;

/** Opening the panel makes a fresh one-time link; closing it forgets it. */
async function setDevicePanelOpen(open: boolean): Promise<void> {
  devicePanel.hidden = !open;
  deviceToggle.setAttribute('aria-expanded', String(open));
  deviceInput.value = '';
  deviceStatus.textContent = '';
  if (!open) return;
  try {
    const { code } = await createDeviceLink();
    if (!devicePanel.hidden) deviceInput.value = `${location.origin}${location.pathname}#link=${code}`;
  } catch {
    deviceStatus.textContent = t('deviceLinkFailed');
  }
}

deviceToggle.addEventListener('click', () => void setDevicePanelOpen(devicePanel.hidden));

byId('device-copy').addEventListener('click', () => void copyLink(deviceInput, deviceStatus));

/** This device opened a device link: log in as the person who made it. */
async function enterWithLink(code: string): Promise<void> {
  try {
    const { token, ...me } = await loginWithLink(code);
    const next = { token, name: me.name, uid: me.uid, expiresAt: me.expiresAt };
    saveSession(next);
    enterChat(next);
  } catch {
    // Used, expired or unknown: whoever this device already was stays; else pick a name.
    const stored = loadSession();
    if (stored) enterChat(stored);
    else showLogin('linkFailed');
  }
}

byId('logout').addEventListener('click', () => endSession());

for (const button of document.querySelectorAll<HTMLButtonElement>('.lang-switch')) {
  button.addEventListener('click', () => {
    setLang(lang() === 'zh' ? 'en' : 'zh', true);
    relabel();
  });
}

function setPeopleOpen(open: boolean): void {
  peoplePanel.hidden = !open;
  peopleToggle.setAttribute('aria-expanded', String(open));
}

peopleToggle.addEventListener('click', () => setPeopleOpen(peoplePanel.hidden));

shareTyping.checked = localStorage.getItem(SHARE_TYPING_KEY) !== '0';
shareTyping.addEventListener('change', () => {
  localStorage.setItem(SHARE_TYPING_KEY, shareTyping.checked ? '1' : '0');
  if (!shareTyping.checked) presence?.stopTyping();
});

// Closing the tab, or leaving for another page, ends presence at once (a keepalive request);
// a page the browser brings back from its cache enters the room again.
window.addEventListener('pagehide', () => leaveRoom());
window.addEventListener('pageshow', (event) => {
  if (event.persisted && session && !room) openRoom(roomFromHash(location.hash));
});

document.addEventListener('visibilitychange', () => {
  room?.visibilityChanged();
  presence?.visibilityChanged();
  rooms.visibilityChanged();
});
window.addEventListener('online', () => {
  showConnection('reconnecting');
  room?.online();
});
window.addEventListener('offline', () => {
  showConnection('offline');
  room?.offline();
});

/** A stored session opens the chat at once; the server is asked in the background whether it still holds. */
function start(): void {
  // The list shows at once where there is room for it; on a phone it opens from the header.
  setPeopleOpen(matchMedia('(min-width: 48rem)').matches);
  setLang(initialLang(storedLang(), navigator.languages), false);
  relabel();
  const link = DEVICE_LINK_HASH.exec(location.hash)?.[1];
  if (link) {
    // The code works once: out of the address at once, so neither a reload nor history repeats it.
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    return void enterWithLink(link);
  }
  const stored = loadSession();
  if (!stored) return showLogin();
  enterChat(stored);
  currentSession().then(
    (me) => {
      if (session?.token === stored.token && me.name !== stored.name) {
        byId('whoami-name').textContent = me.name;
      }
    },
    (error: unknown) => {
      // Anything but 401 (offline, server busy) shows in the connection indicator through the polls.
      if (error instanceof ErrorAnswer && error.status === 401 && session?.token === stored.token)
        endSession('sessionEnded');
    },
  );
}

start();
