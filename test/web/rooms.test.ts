/** The joined rooms, what is unread in them, and when the background ones are checked. */
import { CHECK_MS, BackgroundChecks, nextCheck, type CheckEnv } from '#web/background-checks';
import { setLang } from '#web/i18n';
import { notable, notificationText } from '#web/notifications';
import { MAX_ROOMS, ROOMS_KEY, RoomList, parseRooms } from '#web/rooms';
import { isMessage } from '#web/types';
import { badgedTitle, tally, type LogEntry } from '#web/unread';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const me = { uid: 'u_me', name: 'Robin' };
const entry = (id: number, text: string, uid = 'u_ana', extra: Partial<LogEntry> = {}): LogEntry => ({
  id,
  uid,
  user: uid === me.uid ? me.name : 'Ana',
  text,
  ...extra,
});

describe('RoomList', () => {
  it('remembers the rooms joined, in order, once each, across pages', () => {
    const storage = new MemoryStorage();
    const rooms = new RoomList(storage);
    rooms.join('lobby');
    rooms.join('team');
    rooms.join('lobby');
    rooms.update('team', { knownId: 7, seenId: 5, unread: 2, mentions: 1, notifyAll: true });
    const again = new RoomList(storage);
    expect(again.all().map((r) => r.name)).toEqual(['lobby', 'team']);
    expect(again.get('team')).toEqual({ name: 'team', knownId: 7, seenId: 5, unread: 2, mentions: 1, notifyAll: true });
    expect(again.get('lobby')?.knownId).toBeNull();
    expect(again.totalUnread()).toBe(2);
  });

  it('leaves a room and forgets them all on clear', () => {
    const storage = new MemoryStorage();
    const rooms = new RoomList(storage);
    rooms.join('a');
    rooms.join('b');
    rooms.leave('a');
    expect(new RoomList(storage).all().map((r) => r.name)).toEqual(['b']);
    rooms.clear();
    expect(storage.items.has(ROOMS_KEY)).toBe(false);
    expect(rooms.all()).toEqual([]);
  });

  it('adds to the counts and tells its listeners only of real changes', () => {
    const rooms = new RoomList(new MemoryStorage());
    let changes = 0;
    rooms.onChange(() => changes++);
    rooms.join('a');
    rooms.add('a', 2, 1, 4);
    rooms.add('a', 1, 0, 6);
    rooms.add('a', 0, 0, 6);
    rooms.update('a', { unread: 3 });
    expect(rooms.get('a')).toMatchObject({ unread: 3, mentions: 1, knownId: 6 });
    expect(changes).toBe(3);
  });

  it("takes another tab's list when told, so its next change never writes back a stale copy", () => {
    const storage = new MemoryStorage();
    const here = new RoomList(storage);
    const there = new RoomList(storage);
    here.join('a');
    there.reload();
    there.join('b');
    there.add('a', 2, 0, 9);
    let changes = 0;
    here.onChange(() => changes++);
    here.reload();
    expect(changes).toBe(1);
    here.reload();
    expect(changes).toBe(1);
    here.leave('b');
    expect(new RoomList(storage).all()).toEqual([
      { name: 'a', knownId: 9, seenId: 0, unread: 2, mentions: 0, notifyAll: false },
    ]);
  });

  it('works without storage', () => {
    const rooms = new RoomList(undefined);
    rooms.join('a');
    expect(rooms.all()).toHaveLength(1);
  });
});

describe('parseRooms', () => {
  it('keeps what is sound and leaves out the rest', () => {
    const raw = JSON.stringify([
      { name: 'ok', knownId: 3, seenId: 2, unread: 1, mentions: 0, notifyAll: true },
      { name: 'not a room' },
      { name: 'ok' },
      { name: 'weird', knownId: -1, seenId: 'x', unread: 1.5 },
      null,
      'lobby',
    ]);
    expect(parseRooms(raw)).toEqual([
      { name: 'ok', knownId: 3, seenId: 2, unread: 1, mentions: 0, notifyAll: true },
      { name: 'weird', knownId: 0, seenId: 0, unread: 0, mentions: 0, notifyAll: false },
    ]);
    expect(parseRooms('{broken')).toEqual([]);
    expect(parseRooms('{}')).toEqual([]);
    expect(parseRooms(null)).toEqual([]);
  });

  it('keeps at most MAX_ROOMS, the latest joined', () => {
    const many = Array.from({ length: MAX_ROOMS + 5 }, (_, i) => ({ name: `r${i}` }));
    const rooms = parseRooms(JSON.stringify(many));
    expect(rooms).toHaveLength(MAX_ROOMS);
    expect(rooms[0]!.name).toBe('r5');
  });
});

describe('tally', () => {
  it("counts others' messages and those that mention the reader, never the reader's own", () => {
    const counted = tally(
      [entry(1, 'hello'), entry(2, 'hi @Robin'), entry(3, '@robin mine', me.uid), entry(4, '@Robin, look')],
      me,
    );
    expect(counted.messages.map((e) => e.id)).toEqual([1, 2, 4]);
    expect(counted.mentioning.map((e) => e.id)).toEqual([2, 4]);
  });

  it('counts no update entry (API v2 changes), only kind "message" or none', () => {
    const counted = tally(
      [
        entry(1, 'hello @Robin', 'u_ana', { kind: 'message' }),
        entry(2, '', 'u_ana', { kind: 'update' }),
        entry(3, 'edited @Robin', 'u_ana', { kind: 'update' }),
        entry(4, 'plain'),
      ],
      me,
    );
    expect(counted.messages.map((e) => e.id)).toEqual([1, 4]);
    expect(counted.mentioning.map((e) => e.id)).toEqual([1]);
    expect(isMessage({ kind: 'reaction' })).toBe(false);
  });
});

describe('badgedTitle', () => {
  it('puts the unread count in front, and nothing when there is none', () => {
    expect(badgedTitle('#lobby · Chat', 3)).toBe('(3) #lobby · Chat');
    expect(badgedTitle('#lobby · Chat', 0)).toBe('#lobby · Chat');
  });
});

describe('notifications', () => {
  afterEach(() => setLang('en', false));

  it('are for mentions, or for every message in a "notify all" room', () => {
    const counted = tally([entry(1, 'hello'), entry(2, 'hi @Robin')], me);
    expect(notable(counted, false).map((e) => e.id)).toEqual([2]);
    expect(notable(counted, true).map((e) => e.id)).toEqual([1, 2]);
  });

  it('say who wrote what where, or how many came', () => {
    expect(notificationText('team', [entry(2, 'hi @Robin')], 1)).toEqual({
      title: 'Ana mentioned you in #team',
      body: 'hi @Robin',
    });
    expect(notificationText('team', [entry(1, 'hello')], 0)).toEqual({ title: 'Ana in #team', body: 'hello' });
    expect(notificationText('team', [entry(1, 'a'), entry(2, '@Robin b')], 1)).toEqual({
      title: '#team',
      body: '2 new messages, 1 mentioning you',
    });
    expect(notificationText('team', [entry(1, 'x'.repeat(300))], 0).body).toHaveLength(201);
    setLang('zh', false);
    expect(notificationText('team', [entry(2, '@Robin 你好')], 1).title).toBe('Ana 在 #team 提到了你');
  });
});

describe('nextCheck', () => {
  const never = new Map<string, number>();

  it('checks nothing without background rooms', () => {
    expect(nextCheck([], never, 0, 0)).toEqual({ room: undefined, delayMs: Infinity });
  });

  it('checks a room never checked at once, then each at most once per 30 s', () => {
    expect(nextCheck(['a'], never, -Infinity, 1000)).toEqual({ room: 'a', delayMs: 0 });
    expect(nextCheck(['a'], new Map([['a', 1000]]), 1000, 11_000)).toEqual({ room: 'a', delayMs: 20_000 });
  });

  it('spreads the checks of several rooms evenly over the 30 s, the one checked longest ago first', () => {
    const last = new Map([
      ['a', 0],
      ['b', 10_000],
    ]);
    expect(nextCheck(['a', 'b', 'c'], last, 10_000, 10_000)).toEqual({ room: 'c', delayMs: 10_000 });
    expect(nextCheck(['a', 'b'], last, 10_000, 10_000)).toEqual({ room: 'a', delayMs: 20_000 });
  });
});

/** A clock the test moves by hand, and its timers (which fire up to `earlyMs` before they are due, as a browser's may). */
function manualEnv(earlyMs = 0) {
  let now = 0;
  let timers: { at: number; run: () => void }[] = [];
  const env: CheckEnv = {
    now: () => now,
    later: (run, ms) => {
      const timer = { at: now + ms - Math.min(earlyMs, ms / 2), run };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
  };
  const advance = async (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = timers.sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > end) break;
      timers = timers.filter((t) => t !== next);
      now = next.at;
      next.run();
      // Let the check's promise settle before the next timer.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    now = end;
  };
  return { env, advance };
}

describe('BackgroundChecks', () => {
  it('checks ten rooms ten times per 30 s, one at a time, evenly, and none once stopped', async () => {
    const { env, advance } = manualEnv();
    const rooms = Array.from({ length: 10 }, (_, i) => `room${i}`);
    const checks: { room: string; at: number }[] = [];
    let inFlight = 0;
    let most = 0;
    const background = new BackgroundChecks(
      () => rooms,
      async (room) => {
        inFlight++;
        most = Math.max(most, inFlight);
        checks.push({ room, at: env.now() });
        await Promise.resolve();
        inFlight--;
      },
      CHECK_MS,
      env,
    );
    background.start();
    await advance(5 * CHECK_MS - 1);
    expect(checks).toHaveLength(50);
    expect(most).toBe(1);
    for (const room of rooms) {
      const times = checks.filter((c) => c.room === room).map((c) => c.at);
      expect(times).toHaveLength(5);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(CHECK_MS);
    }
    for (let i = 1; i < checks.length; i++) expect(checks[i]!.at - checks[i - 1]!.at).toBe(CHECK_MS / 10);
    background.stop();
    await advance(CHECK_MS);
    expect(checks).toHaveLength(50);
  });

  it('keeps a full interval between the requests of a room, with timers that fire early and checks that take time', async () => {
    const { env, advance } = manualEnv(8);
    const requests: { room: string; at: number }[] = [];
    const background = new BackgroundChecks(
      () => ['a', 'b'],
      async (room) => {
        requests.push({ room, at: env.now() });
        // The answer takes a few milliseconds: the next check of this room is timed from it.
        await new Promise<void>((resolve) => env.later(resolve, 10));
      },
      CHECK_MS,
      env,
    );
    background.start();
    await advance(4 * CHECK_MS);
    for (const room of ['a', 'b']) {
      const times = requests.filter((r) => r.room === room).map((r) => r.at);
      expect(times.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(CHECK_MS);
    }
    background.stop();
  });

  it('waits a full interval before checking a room just read as the open one', async () => {
    const { env, advance } = manualEnv();
    const checks: string[] = [];
    const background = new BackgroundChecks(
      () => ['a'],
      async (room) => void checks.push(room),
      CHECK_MS,
      env,
    );
    background.checked('a');
    background.start();
    await advance(CHECK_MS - 1);
    expect(checks).toEqual([]);
    await advance(1);
    expect(checks).toEqual(['a']);
  });

  it('goes on after a failed check', async () => {
    const { env, advance } = manualEnv();
    let calls = 0;
    const background = new BackgroundChecks(
      () => ['a'],
      async () => {
        calls++;
        throw new Error('offline');
      },
      1000,
      env,
    );
    background.start();
    await advance(3500);
    expect(calls).toBe(4);
  });
});
