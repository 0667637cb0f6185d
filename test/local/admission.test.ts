/**
 * Load shedding on the local server: what it cannot work on promptly is answered 503 at once
 * with the contract's body and Retry-After; held polls do not count as work.
 */
import type { AddressInfo } from 'node:net';
import type { HttpHandler } from '#http/handler';
import { Admission } from '#local/admission';
import { createLocalServer } from '#local/server';
import { limitStoreCalls } from '#local/store-admission';
import { loadApp } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';

describe('Admission', () => {
  it('takes up to maxWorking requests, not counting held polls, and takes more once one leaves', () => {
    let holding = 0;
    // Lateness is off here: on a busy machine it could shed by itself.
    const admission = new Admission({ maxWorking: 2, maxLagMs: 0, holding: () => holding });
    try {
      expect([admission.tryEnter(), admission.tryEnter(), admission.tryEnter()]).toEqual([true, true, false]);
      holding = 1; // one of the two is now a held poll
      expect(admission.tryEnter()).toBe(true);
      expect(admission.tryEnter()).toBe(false);
      admission.leave();
      expect(admission.tryEnter()).toBe(true);
    } finally {
      admission.stop();
    }
  });

  it('sheds while the event loop runs late tick after tick, and takes requests again when it catches up', async () => {
    const admission = new Admission({ maxWorking: 1000, maxLagMs: 100, holding: () => 0 });
    try {
      // The loop is busy three times in a row: every request meanwhile would wait.
      for (let i = 0; i < 3; i++) {
        const until = performance.now() + 300;
        while (performance.now() < until);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      expect(admission.tryEnter()).toBe(false);
      await eventually(() => admission.tryEnter());
    } finally {
      admission.stop();
    }
  });
});

describe('the local server with admission', () => {
  it('answers 503 unavailable with Retry-After at once while it is full, and serves again after', async () => {
    let release: () => void = () => undefined;
    const busy = new Promise<void>((resolve) => (release = resolve));
    const app = loadApp();
    const slow: HttpHandler = async (event) => {
      await busy;
      return app.handlers.health(event);
    };
    const admission = new Admission({ maxWorking: 1, maxLagMs: 0, holding: () => 0 });
    const server = createLocalServer({ handlers: { ...app.handlers, 'get-session': slow }, admission });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const first = fetch(`${base}/api/session`);
      await eventually(async () => {
        const shed = await fetch(`${base}/api/rooms/lobby/messages`);
        if (shed.status !== 503) return false;
        const body = await shed.json();
        expectMatchesSpec('GET', '/api/rooms/{room}/messages', 503, {
          status: 503,
          headers: Object.fromEntries(shed.headers),
          cookies: [],
          text: JSON.stringify(body),
        });
        expect(body.error.code).toBe('unavailable');
        expect(shed.headers.get('retry-after')).toBe('1');
        return true;
      });
      // Health is always answered: a watcher must see the server is alive.
      expect((await fetch(`${base}/api/health`)).status).toBe(200);
      release();
      expect((await first).status).toBe(200);
      expect((await fetch(`${base}/api/rooms/lobby/messages`)).status).toBe(401);
    } finally {
      release();
      admission.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('limitStoreCalls', () => {
  it('fails calls at once as store unavailable (503) once the queue is full, and lets the rest through', async () => {
    const app = loadApp();
    limitStoreCalls(app.services.store, { concurrent: 1, queued: 2 });
    const reads = Array.from({ length: 10 }, () =>
      app.messageLog.readMessages('lobby', { kind: 'after', after: 0, limit: 1 }).then(
        () => 'read',
        (error: Error) => error.name,
      ),
    );
    const outcomes = await Promise.all(reads);
    expect(outcomes.filter((o) => o === 'read')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'StoreUnavailableError')).toHaveLength(7);
  });
});

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
