/**
 * The same send delivered more than once, as a Lambda retry, a gateway retry or a client
 * that never heard the answer would cause: it is stored once, and every delivery is
 * answered with that one message.
 */
import { startStoreFaultProxy, type StoreFaultProxy } from '#test/tools/store-faults';
import { apiEvent, call, loadApp, login, uniqueRoom, type App } from '#test/support/app';

async function storedIn(app: App, token: string, room: string) {
  const res = await call(app, 'GET', `/api/rooms/${room}/messages?after=0&limit=200`, { token });
  expect(res.status).toBe(200);
  return res.json.messages as { id: number; text: string; clientId?: string }[];
}

describe('duplicate delivery of the same send', () => {
  let proxy: StoreFaultProxy;

  beforeAll(async () => {
    proxy = await startStoreFaultProxy(process.env.DYNAMODB_ENDPOINT!);
  });
  afterAll(() => proxy.close());

  it('stores one message when the exact same request is delivered again to the same instance', async () => {
    const app = loadApp();
    const room = uniqueRoom('replay');
    const { token } = await login(app);
    const event = apiEvent('POST', `/api/rooms/${room}/messages`, {
      token,
      body: { text: 'once', clientId: 'replayed' },
    });

    const first = await app.handlers['send-message'](event);
    const second = await app.handlers['send-message'](event);

    expect([first.statusCode, second.statusCode]).toEqual([201, 200]);
    expect(JSON.parse(second.body!)).toEqual(JSON.parse(first.body!));
    expect(await storedIn(app, token, room)).toEqual([
      expect.objectContaining({ id: 1, text: 'once', clientId: 'replayed' }),
    ]);
  });

  it('stores one message when the exact same request reaches four instances at once', async () => {
    const apps = [loadApp(), loadApp(), loadApp(), loadApp()];
    const room = uniqueRoom('replay');
    const { token } = await login(apps[0]!);
    const event = apiEvent('POST', `/api/rooms/${room}/messages`, {
      token,
      body: { text: 'once', clientId: 'everywhere' },
    });

    const results = await Promise.all(apps.map((app) => app.handlers['send-message'](event)));

    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 201]);
    const bodies = results.map((r) => JSON.parse(r.body!));
    for (const body of bodies) expect(body).toEqual(bodies[0]);
    expect(await storedIn(apps[0]!, token, room)).toEqual([expect.objectContaining({ id: 1, text: 'once' })]);
  });

  it('stores one message when the store kept a send but its answer was lost, and the client sends it again', async () => {
    // No send limit, and a first message to make the room's head known, so that the request
    // whose answer is lost is the message's own write.
    const app = loadApp({ DYNAMODB_ENDPOINT: proxy.endpoint, CHAT_SEND_RATE: '0' });
    const room = uniqueRoom('lost');
    const { token } = await login(app);
    const send = () =>
      call(app, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: 'kept', clientId: 'lost-answer' } });
    expect((await call(app, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: 'first' } })).status).toBe(
      201,
    );

    await proxy.set('lost-reply');
    const lost = await send();
    await proxy.set('off');
    const again = await send();

    expect(lost.status).toBe(503);
    expect(lost.json.error.code).toBe('unavailable');
    expect(again.status).toBe(200);
    const stored = await storedIn(app, token, room);
    expect(stored.map((m) => [m.id, m.text])).toEqual([
      [1, 'first'],
      [2, 'kept'],
    ]);
    expect(again.json).toEqual(stored[1]);
  });
});
