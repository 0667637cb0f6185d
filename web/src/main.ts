// A minimal client of the chat API: log in, join a room, send, and poll after the highest id held.
// Every user-supplied string is put on the page with textContent, never as HTML.

interface Message { id: number; room: string; user: string; uid: string; text: string; ts: string; clientId?: string }
interface Page { messages: Message[]; lastId: number; hasMore: boolean; pollAfterMs: number }
interface ApiErrorBody { error?: { code?: string; message?: string } }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let me: { name: string; uid: string } | undefined;
let room = 'lobby';
let lastId = 0;
let pollTimer: number | undefined;
let generation = 0;

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T & ApiErrorBody }> {
  const response = await fetch(`/api${path}`, { credentials: 'same-origin', ...init });
  const body = (await response.json().catch(() => ({}))) as T & ApiErrorBody;
  return { status: response.status, body };
}

function show(view: 'login' | 'chat'): void {
  $('login-view').hidden = view !== 'login';
  $('chat-view').hidden = view !== 'chat';
}

function roomFromUrl(): string {
  const name = new URLSearchParams(location.search).get('room') ?? 'lobby';
  return /^[A-Za-z0-9_-]{1,64}$/.test(name) ? name : 'lobby';
}

function render(message: Message): void {
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const item = document.createElement('li');
  item.dataset.id = String(message.id);
  if (message.uid === me?.uid) item.classList.add('mine');
  const time = document.createElement('span');
  time.className = 'time';
  time.textContent = new Date(message.ts).toLocaleTimeString();
  const user = document.createElement('span');
  user.className = 'user';
  user.textContent = message.user;
  const text = document.createElement('span');
  text.textContent = message.text;
  item.append(time, user, text);
  list.append(item);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

async function poll(current: number): Promise<void> {
  if (current !== generation) return;
  let wait = 1000;
  try {
    const query = lastId > 0 ? `after=${lastId}` : 'limit=50';
    const { status, body } = await api<Page>(`/rooms/${room}/messages?${query}`);
    if (current !== generation) return;
    if (status === 401) return void show('login');
    if (status === 200) {
      for (const m of body.messages) if (m.id > lastId) render(m);
      lastId = Math.max(lastId, body.lastId);
      wait = body.hasMore ? 0 : body.pollAfterMs;
      $('status').textContent = '';
    } else {
      $('status').textContent = body.error?.message ?? 'reconnecting…';
      wait = 3000;
    }
  } catch {
    $('status').textContent = 'offline: reconnecting…';
    wait = 3000;
  }
  pollTimer = window.setTimeout(() => void poll(current), wait);
}

function enterRoom(name: string): void {
  room = name;
  lastId = 0;
  generation++;
  window.clearTimeout(pollTimer);
  $('messages').replaceChildren();
  $<HTMLInputElement>('room-name').value = room;
  document.title = `${room} · Chat`;
  void poll(generation);
}

async function start(): Promise<void> {
  const { status, body } = await api<{ name: string; uid: string }>('/session');
  if (status !== 200) return show('login');
  me = { name: body.name, uid: body.uid };
  $('whoami').textContent = me.name;
  show('chat');
  enterRoom(roomFromUrl());
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $<HTMLInputElement>('login-name').value;
  const { status, body } = await api('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  $('login-error').textContent = status === 200 ? '' : body.error?.message ?? 'could not log in';
  if (status === 200) await start();
});

$('room-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $<HTMLInputElement>('room-name').value.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) return;
  history.pushState(null, '', `?room=${name}`);
  enterRoom(name);
});

window.addEventListener('popstate', () => enterRoom(roomFromUrl()));

async function send(): Promise<void> {
  const box = $<HTMLTextAreaElement>('send-text');
  if (box.value.trim() === '') return;
  const clientId = `c-${crypto.randomUUID()}`;
  const { status, body } = await api<Message>(`/rooms/${room}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: box.value, clientId }),
  });
  if (status === 200 || status === 201) {
    box.value = '';
    $('send-error').textContent = '';
  } else {
    $('send-error').textContent = body.error?.message ?? 'not sent';
  }
}

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void send();
});
$('send-text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    void send();
  }
});

void start();
