/**
 * A clientId makes a send idempotent forever, also when the identical sends race, and also
 * over the send limit (a retry is not a new message).
 */
import { call, loadApp, login, uniqueRoom } from '#test/support/app';
import { countRequests } from '#test/support/store-requests';

describe('sending with a clientId', () => {
  const app = loadApp({ CHAT_SEND_RATE: '0' });

  it('stores one message when the same send arrives 10 times at once, and again later', async () => {
    const room = uniqueRoom('idem');
    const { token } = await login(app);
    const body = { text: 'only once', clientId: 'c-same-send' };

    const racing = await Promise.all(
      Array.from({ length: 10 }, () => call(app, 'POST', `/api/rooms/${room}/messages`, { token, body })),
    );
    const later = await call(app, 'POST', `/api/rooms/${room}/messages`, { token, body });

    const all = [...racing, later];
    expect(all.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(all.map((r) => r.json.id))).toEqual(new Set([1]));
    for (const r of all) expect(r.json).toEqual(racing.find((x) => x.status === 201)!.json);
    const read = await call(app, 'GET', `/api/rooms/${room}/messages`, { token });
    expect(read.json.messages).toHaveLength(1);
  });

  it('stores one message when identical sends race from separate instances', async () => {
    const room = uniqueRoom('idem');
    const instances = Array.from({ length: 10 }, () => loadApp({ CHAT_SEND_RATE: '0' }));
    const { token } = await login(app);
    const body = { text: 'across instances', clientId: 'c-across' };

    const results = await Promise.all(
      instances.map((a) => call(a, 'POST', `/api/rooms/${room}/messages`, { token, body })),
    );

    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(9);
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    const read = await call(app, 'GET', `/api/rooms/${room}/messages`, { token });
    expect(read.json.messages.map((m: { text: string }) => m.text)).toEqual(['across instances']);
  });

  it('keeps the clientId per user and per room', async () => {
    const room = uniqueRoom('idem');
    const other = uniqueRoom('idem');
    const alice = await login(app, 'alice');
    const bob = await login(app, 'bob');
    const body = { text: 'hello', clientId: 'c-1' };

    const a = await call(app, 'POST', `/api/rooms/${room}/messages`, { token: alice.token, body });
    const b = await call(app, 'POST', `/api/rooms/${room}/messages`, { token: bob.token, body });
    const c = await call(app, 'POST', `/api/rooms/${other}/messages`, { token: alice.token, body });

    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect([a.json.id, b.json.id, c.json.id]).toEqual([1, 2, 1]);
  });

  it('answers a repeat with the first copy even when the text differs', async () => {
    const room = uniqueRoom('idem');
    const { token } = await login(app);
    const first = await call(app, 'POST', `/api/rooms/${room}/messages`, {
      token,
      body: { text: 'first', clientId: 'c-x' },
    });
    const second = await call(app, 'POST', `/api/rooms/${room}/messages`, {
      token,
      body: { text: 'second', clientId: 'c-x' },
    });

    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
  });

  it('lets sends with and without clientIds interleave without gaps', async () => {
    const room = uniqueRoom('idem');
    const { token } = await login(app);
    const sends = Array.from({ length: 30 }, (_, i) =>
      call(app, 'POST', `/api/rooms/${room}/messages`, {
        token,
        body: i % 2 ? { text: `m${i}`, clientId: `c-${i}` } : { text: `m${i}` },
      }),
    );
    const results = await Promise.all(sends);

    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.map((r) => r.json.id).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });
});

describe('a repeated clientId over the send limit', () => {
  // Three sends, then one per 1000 s: over the limit stays over for the whole test.
  const limited = { CHAT_SEND_RATE: '0.001', CHAT_SEND_BURST: '3' };

  it.each([
    ['the store', '0'],
    ['memory (sole writer)', '1'],
  ])(
    'costs no store read within the limit and looks for the first copy only over it (limit kept in %s)',
    async (_where, sole) => {
      const app = loadApp({ ...limited, CHAT_SOLE_WRITER: sole });
      const requests = countRequests(app.services.store);
      const room = uniqueRoom('idem');
      const { token } = await login(app);
      const send = (body: object) => call(app, 'POST', `/api/rooms/${room}/messages`, { token, body });
      await send({ text: 'learns the head' });
      requests.taken();

      const first = await send({ text: 'first', clientId: 'c-1' });
      const withinLimit = requests.taken();
      await send({ text: 'uses up the burst' });
      requests.taken();
      const repeat = await send({ text: 'first', clientId: 'c-1' });
      const overLimit = requests.taken();

      expect([first.status, repeat.status]).toEqual([201, 200]);
      expect(repeat.json).toEqual(first.json);
      expect(withinLimit).not.toHaveProperty('GetItem');
      expect(withinLimit).not.toHaveProperty('Query');
      // Its clientId's item, then the message it points at.
      expect(overLimit.GetItem).toBe(2);
      expect(overLimit).not.toHaveProperty('TransactWriteItems');
    },
  );

  it('answers the first copy on another instance too, where the limit is kept in the store', async () => {
    const [one, two] = [loadApp(limited), loadApp(limited)];
    const room = uniqueRoom('idem');
    const { token } = await login(one);
    const body = { text: 'sent on one', clientId: 'c-elsewhere' };
    const first = await call(one, 'POST', `/api/rooms/${room}/messages`, { token, body });
    for (const text of ['two', 'three'])
      await call(one, 'POST', `/api/rooms/${room}/messages`, { token, body: { text } });

    const overOnTwo = await call(two, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: 'new' } });
    const repeatOnTwo = await call(two, 'POST', `/api/rooms/${room}/messages`, { token, body });

    expect(overOnTwo.status).toBe(429);
    expect(repeatOnTwo.status).toBe(200);
    expect(repeatOnTwo.json).toEqual(first.json);
  });
});
