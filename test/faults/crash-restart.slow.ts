/**
 * A crash mid-load: the local server and its DynamoDB Local are killed with SIGKILL while
 * clients send, then started again on the same data folder. Every acknowledged message is
 * there, ids stay gap-free, a repeated send in doubt is stored once, and new sends continue
 * the sequence. The restarted server is the sole writer of its store again: it learns each
 * room's head from the store, so a poll held at the head is woken by the next send.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueRoom } from '#test/support/app';
import {
  loginOver,
  newTally,
  range,
  readRoom,
  request,
  sendUntilAcknowledged,
  sleep,
  type Acknowledged,
} from './chat-clients';
import { ROOT, buildLocalServer, spawnLocalServer, type LocalServerProcess } from './local-server-process';

const SENDERS = 6;
/** Bounds each client's stream of changes (the crash comes long before). */
const MAX_CHANGES_EACH = 2000;

describe('the local server killed mid-load', () => {
  const script = join(ROOT, 'dist', 'test-server', `start-${process.pid}.js`);
  let dataDir: string;
  const running: LocalServerProcess[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chat-crash-'));
    await buildLocalServer(script);
  });

  afterAll(async () => {
    for (const server of running) await server.kill9().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(script, { force: true });
    rmSync(`${script}.map`, { force: true });
  });

  const start = async () => {
    // No shedding for a late event loop: a busy test machine is not what this test is about.
    const server = await spawnLocalServer({
      script,
      env: { CHAT_DATA_DIR: dataDir, CHAT_SEND_RATE: '0', CHAT_SHED_LAG_MS: '0' },
    });
    running.push(server);
    return server;
  };

  it('keeps every acknowledged message, gap-free, and carries on from there after a restart', async () => {
    // Prepare: senders that send as fast as they are answered, each message with its own clientId.
    const first = await start();
    expect(first.storePid).toBeDefined();
    const room = uniqueRoom('crash');
    const tokens = await Promise.all(range(1, SENDERS).map((i) => loginOver(first.url, `sender ${i}`)));
    const acknowledged: Acknowledged[] = [];
    const inDoubt: { token: string; text: string; clientId: string }[] = [];
    let crashed = false;
    const sender = async (token: string, i: number) => {
      for (let n = 1; ; n++) {
        const text = `sender ${i} message ${n}`;
        const clientId = `s${i}-${n}`;
        // As a careful client: a 503 is repeated with the same clientId until it is acknowledged.
        for (;;) {
          try {
            const answer = await request(first.url, 'POST', `/api/rooms/${room}/messages`, token, { text, clientId });
            if (answer.status === 201 || answer.status === 200) {
              acknowledged.push({ id: answer.json.id, text, clientId });
              break;
            }
            if (answer.status !== 503) throw new Error(`send answered ${answer.status} ${JSON.stringify(answer.json)}`);
          } catch (error) {
            // Sent but never answered: stored or not, nobody can tell yet.
            if (crashed) return inDoubt.push({ token, text, clientId });
            throw error;
          }
        }
      }
    };
    const sending = Promise.all(tokens.map((token, i) => sender(token, i + 1)));

    // Act: kill both processes mid-load, then start again on the same folder.
    while (acknowledged.length < 100) await sleep(20);
    crashed = true;
    await first.kill9();
    await sending;
    const second = await start();

    // Check: the acknowledged messages are all there, and the ids run 1..N without a gap.
    const afterRestart = await readRoom(second.url, tokens[0]!, room);
    const ids = afterRestart.map((m) => m.id);
    expect(ids).toEqual(range(1, ids.length));
    const byId = new Map(afterRestart.map((m) => [m.id, m]));
    for (const a of acknowledged)
      expect(byId.get(a.id)).toEqual(expect.objectContaining({ text: a.text, clientId: a.clientId }));
    // Only messages in doubt may have been stored without an answer.
    const known = new Set([...acknowledged, ...inDoubt].map((m) => m.clientId));
    for (const m of afterRestart) expect(known.has(m.clientId!)).toBe(true);

    // Each sender repeats its message in doubt (stored once, whatever happened), then sends a new one.
    const tally = newTally();
    const resent = await Promise.all(
      inDoubt.map((d) => sendUntilAcknowledged(second.url, d.token, room, d.text, d.clientId, tally)),
    );
    // A poll at the head: nothing new, so it is held until a fresh send wakes it.
    const head = acknowledged.length + inDoubt.length;
    expect(
      (await request(second.url, 'GET', `/api/rooms/${room}/messages?after=${head}`, tokens[0])).json.messages,
    ).toEqual([]);
    const held = request(second.url, 'GET', `/api/rooms/${room}/messages?after=${head}&wait=25`, tokens[0]);
    const fresh = await Promise.all(
      tokens.map((token, i) =>
        sendUntilAcknowledged(second.url, token, room, `sender ${i + 1} after the crash`, `after-${i + 1}`, tally),
      ),
    );
    const final = await readRoom(second.url, tokens[0]!, room);
    const woken = await held;
    await second.stop();

    expect(woken.status).toBe(200);
    expect(woken.json.messages.length).toBeGreaterThan(0);
    expect(woken.json.messages.map((m: { id: number }) => m.id)).toEqual(
      range(head + 1, head + woken.json.messages.length),
    );

    expect(tally.improper).toEqual([]);
    const total = acknowledged.length + inDoubt.length + SENDERS;
    expect(final.map((m) => m.id)).toEqual(range(1, total));
    expect(new Set(final.map((m) => m.clientId)).size).toBe(total);
    for (const r of resent)
      expect(final[r.id - 1]).toEqual(expect.objectContaining({ text: r.text, clientId: r.clientId }));
    expect(fresh.map((f) => f.id).sort((a, b) => a - b)).toEqual(range(total - SENDERS + 1, total));
  }, 120_000);
  it('keeps every acknowledged change with its update entry, and no entry without its change', async () => {
    // Prepare: two authors with two messages each; they edit their own while four others react.
    const first = await start();
    const room = uniqueRoom('crash-changes');
    const authors = await Promise.all(range(1, 2).map((i) => loginOver(first.url, `author ${i}`)));
    const reactors = await Promise.all(range(1, 4).map((i) => loginOver(first.url, `reactor ${i}`)));
    const targets: { id: number; author: string }[] = [];
    for (const token of authors) {
      for (const n of [1, 2]) {
        const sent = await request(first.url, 'POST', `/api/rooms/${room}/messages`, token, { text: `message ${n}` });
        expect(sent.status).toBe(201);
        targets.push({ id: sent.json.id, author: token });
      }
    }
    /** Every 200 of a change: the message as it read then, with the rev its update entry must carry. */
    const acknowledged: { target: number; message: Record<string, unknown> }[] = [];
    const other: string[] = [];
    let crashed = false;
    const change = async (token: string, method: string, path: string, body?: unknown) => {
      try {
        const answer = await request(first.url, method, `/api/rooms/${room}/messages/${path}`, token, body);
        if (answer.status === 200) acknowledged.push({ target: answer.json.id, message: answer.json });
        else if (answer.status !== 503)
          other.push(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.json)}`);
        return true;
      } catch (error) {
        // Sent but never answered: changed or not, nobody can tell yet.
        if (crashed) return false;
        throw error;
      }
    };
    const editor = async (token: string, a: number) => {
      const mine = targets.filter((t) => t.author === token);
      for (let n = 1; n <= MAX_CHANGES_EACH; n++) {
        const target = mine[n % mine.length]!;
        if (!(await change(token, 'PATCH', `${target.id}`, { text: `author ${a} edit ${n}` }))) return;
      }
    };
    const reactor = async (token: string, r: number) => {
      const emoji = encodeURIComponent(['👍', '❤️', '😂', '🎉'][r % 4]!);
      for (let n = 0; n < MAX_CHANGES_EACH; n++) {
        // Through the four messages, adding on the first pass, taking back on the second, and so on.
        const target = targets[n % targets.length]!;
        const method = Math.floor(n / targets.length) % 2 === 0 ? 'PUT' : 'DELETE';
        if (!(await change(token, method, `${target.id}/reactions/${emoji}`))) return;
      }
    };
    const changing = Promise.all([
      ...authors.map((token, i) => editor(token, i + 1)),
      ...reactors.map((token, i) => reactor(token, i)),
    ]);

    // Act: kill both processes during the stream, then start again on the same folder.
    for (let i = 0; i < 3000 && acknowledged.length < 80; i++) await sleep(20);
    expect(acknowledged.length).toBeGreaterThanOrEqual(80);
    crashed = true;
    await first.kill9();
    await changing;
    const second = await start();

    // Check: ids 1..N without a gap, and each message's entries are its revisions 1..rev, once each.
    const log = await readRoom(second.url, authors[0]!, room);
    expect(log.map((e) => e.id)).toEqual(range(1, log.length));
    const entries = log as unknown as Record<string, any>[];
    const messages = new Map(entries.filter((e) => e.kind === 'message').map((m) => [m.id as number, m]));
    expect([...messages.keys()]).toEqual(targets.map((t) => t.id));
    for (const t of targets) {
      const message = messages.get(t.id)!;
      const own = entries.filter((e) => e.kind === 'update' && e.target === t.id);
      // No entry without its change: revisions 1..rev, none above the message's own.
      expect(own.map((u) => u.message.rev)).toEqual(range(1, message.rev ?? 0));
      // The message reads as its last entry left it.
      if (own.length > 0) expect(own.at(-1)!.message).toEqual(message);
    }
    // Every acknowledged change is there: the entry with its rev holds the message as answered.
    for (const a of acknowledged) {
      const entry = entries.find(
        (e) => e.kind === 'update' && e.target === a.target && e.message.rev === a.message.rev,
      );
      expect(entry?.message).toEqual(a.message);
    }
    expect(other).toEqual([]);

    // And changes carry on from there: the next one gets the next rev, its entry the next id.
    const next = targets[0]!;
    const answer = await request(second.url, 'PATCH', `/api/rooms/${room}/messages/${next.id}`, next.author, {
      text: 'after the crash',
    });
    expect(answer.status).toBe(200);
    expect(answer.json.rev).toBe((messages.get(next.id)!.rev ?? 0) + 1);
    const tail = await request(second.url, 'GET', `/api/rooms/${room}/messages?after=${log.length}`, next.author);
    expect(tail.json.messages).toEqual([
      expect.objectContaining({ kind: 'update', id: log.length + 1, target: next.id, message: answer.json }),
    ]);
    await second.stop();
  }, 120_000);
});
