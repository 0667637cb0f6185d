/**
 * Changes under racing writers, on DynamoDB Local: reactors, senders and a poller share one
 * room, in one instance (its group commit puts two changes of one message in separate
 * transactions) and across several instances on one store (as Lambda instances are: each
 * change is conditioned on the revision it was decided on, and a loser decides again). Every
 * reaction is counted once, ids stay gap-free, and a poller that always asks for "after the
 * highest id I hold" sees every update entry once, in order. An edit racing a delete ends with
 * the delete last: never an edit after it.
 */
import { StoreUnavailableError } from '#aws/store-errors';
import type { Change, ChangeResult, Entry, Message, UpdateEntry } from '#chat/message-log';
import { loadApp, uniqueRoom, type App } from '#test/support/app';

const REACTORS = 16;
const SENDERS = 8;
const PER_SENDER = 10;
/** Each reactor adds the emoji everyone uses, one of these four, and adds then takes back a third. */
const SHARED = '👍';
const OWN = ['❤️', '😂', '😮', '🙏'] as const;
const BACK = '🎉';
/** Bounds the poller: far more polls than the race can need. */
const MAX_POLLS = 20_000;
/** Attempts of one change or send that the store answers "unavailable" (a careful client repeats it). */
const PATIENCE = 20;

const person = (prefix: string, i: number) => ({
  user: `${prefix}${i}`,
  uid: `u_${prefix}${String(i).padStart(15 - prefix.length, '0')}0`,
});

/** Repeats `attempt` after a 503 (the store too contended); a repeated change that had landed is a no-op. */
async function patiently<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || i >= PATIENCE) throw error;
    }
  }
}

interface Poller {
  readonly seen: Entry[];
  lastId: number;
}

/** Polls `after` the highest id held until `done()` and a poll made after it finds nothing more. */
async function pollUntil(app: App, room: string, poller: Poller, done: () => boolean): Promise<void> {
  for (let polls = 0; polls < MAX_POLLS; polls++) {
    const finished = done(); // read before the poll, so the last poll sees every acknowledged write
    const page = await app.messageLog.readMessages(room, { kind: 'after', after: poller.lastId, limit: 50 });
    poller.seen.push(...page.messages);
    poller.lastId = page.lastId;
    if (finished && !page.hasMore) return;
    // A pause between polls that found nothing new keeps the loop's bound far from the race's length.
    if (!page.hasMore) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`the poller did not catch up in ${MAX_POLLS} polls`);
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const updatesIn = (entries: readonly Entry[]): UpdateEntry[] =>
  entries.filter((e): e is UpdateEntry => e.kind === 'update');

async function everything(app: App, room: string): Promise<Entry[]> {
  const all: Entry[] = [];
  for (let after = 0, pages = 0; pages < 100; pages++) {
    const page = await app.messageLog.readMessages(room, { kind: 'after', after, limit: 200 });
    all.push(...page.messages);
    after = page.lastId;
    if (!page.hasMore) return all;
  }
  throw new Error(`${room} did not end within 100 pages`);
}

/**
 * 16 reactors and 8 senders on `apps` (in turn), a poller on `pollApp`: every reaction once,
 * ids gap-free, every update entry seen once and in revision order.
 */
async function reactionRace(apps: readonly App[], pollApp: App): Promise<void> {
  const room = uniqueRoom('react-race');
  const author = person('A', 0);
  const target = (await apps[0]!.messageLog.appendMessage({ room, ...author, text: 'react to me' })).message;
  const poller: Poller = { seen: [], lastId: 0 };
  let writersDone = false;
  const polling = pollUntil(pollApp, room, poller, () => writersDone);

  const change = (i: number, c: Change): Promise<ChangeResult> =>
    patiently(() =>
      apps[i % apps.length]!.messageLog.changeMessage({ room, id: target.id, ...person('R', i), change: c }),
    );
  const reactor = async (i: number) => {
    const results: ChangeResult[] = [];
    for (const c of [
      { kind: 'react', emoji: SHARED, on: true },
      { kind: 'react', emoji: OWN[i % OWN.length]!, on: true },
      { kind: 'react', emoji: BACK, on: true },
      { kind: 'react', emoji: BACK, on: false },
    ] as const)
      results.push(await change(i, c));
    return results;
  };
  const sender = async (i: number) => {
    for (let n = 0; n < PER_SENDER; n++) {
      await patiently(() =>
        apps[(i + 1) % apps.length]!.messageLog.appendMessage({
          room,
          ...person('S', i),
          text: `sender ${i} message ${n}`,
          clientId: `s${i}-${n}`,
        }),
      );
    }
  };
  const [results] = await Promise.all([
    Promise.all(Array.from({ length: REACTORS }, (_, i) => reactor(i))),
    Promise.all(Array.from({ length: SENDERS }, (_, i) => sender(i))),
  ]);
  writersDone = true;
  await polling;

  // Each reaction changed the message once (a repeat after a 503 may find its first try landed).
  for (const r of results.flat()) expect(['changed', 'same']).toContain(r.kind);
  const changes = REACTORS * 4;
  const total = 1 + changes + SENDERS * PER_SENDER;
  const log = await everything(pollApp, room);
  expect(log.map((e) => e.id)).toEqual(ids(total));
  expect(poller.seen.map((e) => e.id)).toEqual(ids(total));

  // The poller saw every update entry once, in the order of the message's revisions.
  const updates = updatesIn(poller.seen);
  expect(updates.map((u) => u.message.rev)).toEqual(ids(changes));
  expect(updates.every((u) => u.target === target.id)).toBe(true);
  // Each reactor's four changes, in the order made: 👍, its own emoji, 🎉, and 🎉 taken back.
  const mine = (u: UpdateEntry, emoji: string) =>
    u.message.reactions?.find((r) => r.emoji === emoji)?.uids.includes(u.uid) ?? false;
  for (let i = 0; i < REACTORS; i++) {
    const own = updates.filter((u) => u.uid === person('R', i).uid);
    const emoji = OWN[i % OWN.length]!;
    expect(own.map((u) => [mine(u, SHARED), mine(u, emoji), mine(u, BACK)])).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
      [true, true, false],
    ]);
  }

  // Every reaction counted once, and the people listed in the order their reactions were stored.
  const now = log[0] as Message;
  const firstAdd = (emoji: string, uid: string) =>
    updates.find(
      (u) => u.uid === uid && (u.message.reactions?.find((r) => r.emoji === emoji)?.uids ?? []).includes(uid),
    )!.id;
  const inOrder = (emoji: string, who: number[]) =>
    who.map((i) => person('R', i).uid).sort((a, b) => firstAdd(emoji, a) - firstAdd(emoji, b));
  const everyone = ids(REACTORS).map((n) => n - 1);
  const expected = [
    { emoji: SHARED, count: REACTORS, uids: inOrder(SHARED, everyone) },
    ...OWN.map((emoji, k) => {
      const who = everyone.filter((i) => i % OWN.length === k);
      return { emoji, count: who.length, uids: inOrder(emoji, who) };
    }),
  ];
  const byEmoji = (rs: readonly { emoji: string }[] | undefined) =>
    [...(rs ?? [])].sort((a, b) => (a.emoji < b.emoji ? -1 : 1));
  expect(byEmoji(now.reactions)).toEqual(byEmoji(expected));
  expect(now.rev).toBe(changes);
  // The last entry carries the message exactly as it now reads.
  expect(updates.at(-1)!.message).toEqual(now);
}

/**
 * The author edits a message from several places at once while deleting it from another:
 * each round ends deleted, with every acknowledged edit before the delete and none after.
 */
async function editRacingDelete(apps: readonly App[], rounds: number): Promise<void> {
  const room = uniqueRoom('edit-race');
  const author = person('E', 0);
  const on = (i: number) => apps[i % apps.length]!.messageLog;
  /** How many edits landed before the delete, per round. */
  const outcomes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const target = (await on(round).appendMessage({ room, ...author, text: `round ${round}` })).message;
    const edits = Array.from({ length: 4 }, (_, k) =>
      patiently(() =>
        on(round + k).changeMessage({ room, id: target.id, ...author, change: { kind: 'edit', text: `edit ${k}` } }),
      ),
    );
    // The delete starts in the middle of the edits, from yet another place.
    const deleted = patiently(() =>
      on(round + 2).changeMessage({ room, id: target.id, ...author, change: { kind: 'delete' } }),
    );
    const answers = await Promise.all(edits);
    const gone = await deleted;

    if (gone.kind !== 'changed') throw new Error(`the delete answered ${JSON.stringify(gone)}`);
    for (const a of answers) expect(['changed', 'refused']).toContain(a.kind);
    const applied = answers.flatMap((a) => (a.kind === 'changed' ? [a.entry] : []));
    for (const a of answers) {
      if (a.kind === 'refused') expect(a.reason).toBe('message_deleted');
    }
    const log = await everything(apps[0]!, room);
    const now = log.find((e) => e.kind !== 'update' && e.id === target.id) as Message;
    expect(now).toEqual(gone.message);
    expect(now).toMatchObject({ text: '', deleted: true, rev: applied.length + 1 });
    // The acknowledged edits, then the delete, at increasing ids with revisions 1, 2, …: nothing after the delete.
    const entries = updatesIn(log).filter((u) => u.target === target.id);
    const order = [...applied].sort((a, b) => a.id - b.id);
    expect(entries.map((u) => u.id)).toEqual([...order.map((e) => e.id), gone.entry.id]);
    expect(entries.map((u) => u.message.rev)).toEqual(ids(applied.length + 1));
    expect(order.map((e) => e.message.rev)).toEqual(ids(applied.length));
    expect(order.every((e) => !e.message.deleted && e.message.text.startsWith('edit '))).toBe(true);
    expect(entries.at(-1)!.message).toEqual(now);
    // The delete took the edits' text out of their entries too.
    for (const u of entries) expect(u.message).toMatchObject({ text: '', deleted: true });
    outcomes.push(applied.length);
  }
  const log = await everything(apps[0]!, room);
  expect(log.map((e) => e.id)).toEqual(ids(log.length));
  console.info(`edits that landed before the delete, per round: ${outcomes.join(' ')}`);
}

describe('changes under racing writers', () => {
  it('counts every reaction once and shows every update entry once, in one instance as the sole writer', async () => {
    const app = loadApp({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '1' });
    await reactionRace([app], app);
  }, 120_000);

  it('counts every reaction once and shows every update entry once, in one instance on a shared store', async () => {
    const app = loadApp({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '0' });
    await reactionRace([app], app);
  }, 120_000);

  it('counts every reaction once and shows every update entry once across four instances on one store', async () => {
    // Each loaded app has its own store client, head cache and queue, like a Lambda instance.
    const apps = Array.from({ length: 4 }, () => loadApp({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '0' }));
    await reactionRace(apps, loadApp({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '0' }));
  }, 120_000);

  it('ends an edit racing a delete deleted, never edited after it, in one instance', async () => {
    await editRacingDelete([loadApp({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '1' })], 12);
  }, 120_000);

  it('ends an edit racing a delete deleted, never edited after it, across instances on one store', async () => {
    const apps = Array.from({ length: 4 }, () => loadApp({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '0' }));
    await editRacingDelete(apps, 12);
  }, 120_000);
});
