/**
 * When the store is stopped or out of reach, the handlers answer 503 `unavailable` with
 * Retry-After (never 500), lose nothing that was acknowledged, and recover when it is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort, startDynamoDbLocal, type RunningDynamoDbLocal } from '#local/dynamodb-local';
import { ensureTable } from '#local/table-setup';
import { call, loadApp, login, uniqueRoom, type App } from '#test/support/app';

function expectUnavailable(res: { status: number; headers: Record<string, string>; json: any; text: string }): void {
  expect(res.status).toBe(503);
  expect(res.json.error.code).toBe('unavailable');
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(res.text).not.toMatch(/ECONN|Exception|at \w+ \(/);
}

describe('a stopped store', () => {
  let dataDir: string;
  let port: number;
  let store: RunningDynamoDbLocal | undefined;
  let app: App;

  const start = async () => {
    store = await startDynamoDbLocal({ port, dataDir });
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chat-faults-'));
    port = await freePort();
    await start();
    const admin = new DynamoDBClient({
      endpoint: store!.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await ensureTable(admin, 'chat-faults');
    admin.destroy();
    app = loadApp({
      DYNAMODB_ENDPOINT: store!.endpoint,
      CHAT_TABLE_NAME: 'chat-faults',
      CHAT_SEND_RATE: '5',
      CHAT_SEND_BURST: '10',
    });
  }, 60_000);

  afterAll(async () => {
    await store?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while it is down, keeps what was acknowledged, and recovers when it is back', async () => {
    const room = uniqueRoom('fault');
    const { token } = await login(app);
    for (const text of ['one', 'two']) {
      expect(
        (await call(app, 'POST', `/api/rooms/${room}/messages`, { token, body: { text, clientId: `c-${text}` } }))
          .status,
      ).toBe(201);
    }

    await store!.stop();
    const started = Date.now();
    const send = await call(app, 'POST', `/api/rooms/${room}/messages`, {
      token,
      body: { text: 'three', clientId: 'c-three' },
    });
    const poll = await call(app, 'GET', `/api/rooms/${room}/messages?after=2`, { token });
    const firstVisit = await call(app, 'GET', `/api/rooms/${room}/messages`, { token });
    expectUnavailable(send);
    expectUnavailable(poll);
    expectUnavailable(firstVisit);
    expect(Date.now() - started).toBeLessThan(20_000);
    // Sessions do not need the store.
    expect((await call(app, 'GET', '/api/session', { token })).status).toBe(200);
    expect((await call(app, 'GET', '/api/health')).status).toBe(200);

    await start();
    const retried = await call(app, 'POST', `/api/rooms/${room}/messages`, {
      token,
      body: { text: 'three', clientId: 'c-three' },
    });
    const after = await call(app, 'GET', `/api/rooms/${room}/messages?after=0`, { token });

    expect(retried.status).toBe(201);
    expect(retried.json.id).toBe(3);
    expect(after.json.messages.map((m: { id: number; text: string }) => [m.id, m.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
  }, 90_000);
});

describe('an unreachable store', () => {
  it('answers 503 when nothing listens at the endpoint', async () => {
    const port = await freePort();
    const app = loadApp({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`, CHAT_TABLE_NAME: 'nowhere' });
    const { token } = await login(app);

    expectUnavailable(await call(app, 'POST', `/api/rooms/${uniqueRoom()}/messages`, { token, body: { text: 'hi' } }));
    expectUnavailable(await call(app, 'GET', `/api/rooms/${uniqueRoom()}/messages?after=0`, { token }));
  });

  it('answers 503 when the store accepts connections but never replies', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const app = loadApp({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`, CHAT_TABLE_NAME: 'silent' });
    const { token } = await login(app);

    try {
      expectUnavailable(await call(app, 'GET', `/api/rooms/${uniqueRoom()}/messages?after=0`, { token }));
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  }, 60_000);
});
