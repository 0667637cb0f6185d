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
});
