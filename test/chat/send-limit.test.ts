/**
 * The send limit holds per user across instances, because it lives in the store; the sole
 * writer of a store keeps the same limit in memory.
 */
import { call, loadApp, login, uniqueRoom } from '#test/support/app';

describe('the per-user send limit', () => {
  it('allows the burst, then answers 429 with Retry-After, across separate instances', async () => {
    const instances = Array.from({ length: 4 }, () => loadApp({ CHAT_SEND_RATE: '0.1', CHAT_SEND_BURST: '5' }));
    const room = uniqueRoom('rate');
    const { token } = await login(instances[0]!);

    const results = [];
    for (let i = 0; i < 8; i++) {
      results.push(
        await call(instances[i % 4]!, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: `m${i}` } }),
      );
    }

    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    const refused = results[5]!;
    expect(refused.json.error.code).toBe('rate_limited');
    // One send per 10 s at this rate: the wait is at most 10 s, never less than 1.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(10);
    const read = await call(instances[0]!, 'GET', `/api/rooms/${room}/messages`, { token });
    expect(read.json.messages).toHaveLength(5);
  });

  it('limits each user on their own', async () => {
    const app = loadApp({ CHAT_SEND_RATE: '0.1', CHAT_SEND_BURST: '2' });
    const room = uniqueRoom('rate');
    const alice = await login(app);
    const bob = await login(app);

    const statuses = [];
    for (const user of [alice, alice, alice, bob, bob]) {
      statuses.push(
        (await call(app, 'POST', `/api/rooms/${room}/messages`, { token: user.token, body: { text: 'x' } })).status,
      );
    }

    expect(statuses).toEqual([201, 201, 429, 201, 201]);
  });

  it.each([
    ['in the store', '0'],
    ["in the sole writer's memory", '1'],
  ])('refills at the configured rate, %s', async (_, soleWriter) => {
    // The algorithm only compares times, so a given clock makes this exact on a busy machine.
    const allowance = loadApp({ CHAT_SEND_RATE: '2', CHAT_SEND_BURST: '1', CHAT_SOLE_WRITER: soleWriter }).services
      .sendAllowance;
    const uid = `u_${Date.now().toString(16).padStart(16, '0')}`;
    const t = Date.now();

    const first = await allowance.take(uid, t);
    const tooSoon = await allowance.take(uid, t + 100);
    const later = await allowance.take(uid, t + 500);
    const tooSoonAgain = await allowance.take(uid, t + 600);

    expect(first).toEqual({ allowed: true });
    expect(tooSoon).toEqual({ allowed: false, retryAfterMs: 400 });
    expect(later).toEqual({ allowed: true });
    expect(tooSoonAgain).toEqual({ allowed: false, retryAfterMs: 400 });
  });

  it('lets nothing through the limit when many sends of one user race', async () => {
    const app = loadApp({ CHAT_SEND_RATE: '0.1', CHAT_SEND_BURST: '3' });
    const others = Array.from({ length: 5 }, () => loadApp({ CHAT_SEND_RATE: '0.1', CHAT_SEND_BURST: '3' }));
    const room = uniqueRoom('rate');
    const { token } = await login(app);

    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(others[i % others.length]!, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: `r${i}` } }),
      ),
    );

    // At one send per 10 s nothing refills during the race: exactly the burst gets through.
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.every((r) => r.status === 201 || r.status === 429)).toBe(true);
  });

  it.each([
    ['rate', { CHAT_SEND_RATE: '0', CHAT_SEND_BURST: '10' }],
    ['burst', { CHAT_SEND_RATE: '5', CHAT_SEND_BURST: '0' }],
  ])('is off when the %s is 0', async (_, env) => {
    const app = loadApp(env);
    const room = uniqueRoom('rate');
    const { token } = await login(app);

    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(app, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: `m${i}` } }),
      ),
    );

    expect(results.every((r) => r.status === 201)).toBe(true);
  });

  it('is kept in memory by the sole writer: the burst, then 429, with no store write for the allowance', async () => {
    const app = loadApp({ CHAT_SEND_RATE: '0.1', CHAT_SEND_BURST: '3', CHAT_SOLE_WRITER: '1' });
    const writes: string[] = [];
    app.services.store.middlewareStack.add(
      (next, context) => async (args) => {
        writes.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    const room = uniqueRoom('rate');
    const { token } = await login(app);

    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call(app, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: `m${i}` } }),
      ),
    );

    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429)).toHaveLength(3);
    expect(writes).not.toContain('UpdateCommand');
  });
});
