/**
 * Scenario 6, store cost: DynamoDB requests and consumed capacity per API request. The
 * handlers run in this process against DynamoDB Local, as the Lambda functions would, with
 * one addition on their store client: a middleware that asks every request for its
 * consumed capacity (ReturnConsumedCapacity: TOTAL) and counts requests and units. The
 * production code is not changed, and the local server's commit barrier is not installed,
 * so these are the figures of the Lambda deployment.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig } from '#lib/config';
import { createServices } from '#lib/services';
import { createHandlers } from '#http/handlers';
import { apiEvent } from '#test/support/app';
import type { BenchContext, ScenarioResult } from '../scenario';
import { startServer } from '../server';
import { round, table } from '../stats';
import { countRequests } from '#test/support/store-requests';

interface Tally {
  requests: Record<string, number>;
  rcu: number;
  wcu: number;
}

interface Row {
  readonly label: string;
  readonly status: number;
  readonly requests: Record<string, number>;
  readonly requestsTotal: number;
  readonly rcu: number;
  readonly wcu: number;
}

export async function storeCost(ctx: BenchContext): Promise<ScenarioResult> {
  const iterations = ctx.quick ? 4 : 10;
  const server = await startServer();
  try {
    // The handlers' configuration, as the stack would give it, pointing at DynamoDB Local.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const config = loadConfig({
      DYNAMODB_ENDPOINT: server.storeEndpoint,
      CHAT_TABLE_NAME: 'chat',
      CHAT_SESSION_KEY: randomBytes(32).toString('base64'),
      AWS_REGION: 'local',
      // Every user here logs in from one address.
      CHAT_LOGIN_RATE: '0',
    });
    const services = createServices(config);
    const handlers = createHandlers(services);
    const dynamo = services.store;

    const counted = countRequests(dynamo);
    const take = (): Tally => {
      const { read, write } = counted.consumed();
      return { requests: counted.taken(), rcu: read, wcu: write };
    };

    type Call = () => Promise<APIGatewayProxyStructuredResultV2>;
    const json = (r: APIGatewayProxyStructuredResultV2) => JSON.parse(r.body ?? 'null');
    const login = async () =>
      json(
        await handlers.login(
          apiEvent('POST', '/api/login', { body: { name: `cost ${randomBytes(2).toString('hex')}` } }),
        ),
      ).token as string;
    const room = () => `bench-cost-${randomBytes(6).toString('hex')}`;
    const sendEvent = (token: string, r: string, text = 'hello', clientId?: string) =>
      apiEvent('POST', `/api/rooms/${r}/messages`, { token, body: { text, ...(clientId ? { clientId } : {}) } });
    const fill = async (token: string, r: string, n: number) => {
      for (let i = 0; i < n; i++) {
        // A fresh user every 8 messages keeps inside the send limit.
        if (i % 8 === 0) token = await login();
        await handlers['send-message'](
          sendEvent(token, r, `message ${i}: the quick brown fox jumps over the lazy dog`),
        );
      }
    };

    const rows: Row[] = [];
    /** Runs `prepare` uncounted, then counts `act`, `iterations` times, and keeps the mean. */
    const measure = async (label: string, prepare: () => Promise<Call>) => {
      const sum: Tally = { requests: {}, rcu: 0, wcu: 0 };
      let status = 0;
      for (let i = 0; i < iterations; i++) {
        const act = await prepare();
        take();
        status = (await act()).statusCode ?? 0;
        const tally = take();
        for (const [op, n] of Object.entries(tally.requests)) sum.requests[op] = (sum.requests[op] ?? 0) + n;
        sum.rcu += tally.rcu;
        sum.wcu += tally.wcu;
      }
      const requests = Object.fromEntries(
        Object.entries(sum.requests).map(([op, n]) => [op, round(n / iterations, 2)]),
      );
      rows.push({
        label,
        status,
        requests,
        requestsTotal: round(
          Object.values(requests).reduce((a, b) => a + b, 0),
          2,
        ),
        rcu: round(sum.rcu / iterations, 2),
        wcu: round(sum.wcu / iterations, 2),
      });
    };

    ctx.log(`store cost: ${iterations} of each request against DynamoDB Local`);
    const token = await login();
    const hundred = room();
    await fill(token, hundred, 100);

    await measure(
      'login',
      async () => () => handlers.login(apiEvent('POST', '/api/login', { body: { name: 'someone' } })),
    );
    await measure('session', async () => () => handlers['get-session'](apiEvent('GET', '/api/session', { token })));
    await measure('first visit, empty room', async () => {
      const r = room();
      return () => handlers['read-messages'](apiEvent('GET', `/api/rooms/${r}/messages`, { token }));
    });
    await measure(
      'first visit, newest 100 of a room',
      async () => () => handlers['read-messages'](apiEvent('GET', `/api/rooms/${hundred}/messages`, { token })),
    );
    await measure(
      'poll, nothing new',
      async () => () =>
        handlers['read-messages'](apiEvent('GET', `/api/rooms/${hundred}/messages?after=100`, { token })),
    );
    await measure(
      'poll, 1 new',
      async () => () =>
        handlers['read-messages'](apiEvent('GET', `/api/rooms/${hundred}/messages?after=99`, { token })),
    );
    await measure(
      'history page (before, 100)',
      async () => () =>
        handlers['read-messages'](apiEvent('GET', `/api/rooms/${hundred}/messages?before=101&limit=100`, { token })),
    );
    const warmRoom = room();
    await fill(token, warmRoom, 1);
    await measure('send, no clientId', async () => {
      const t = await login();
      return () => handlers['send-message'](sendEvent(t, warmRoom));
    });
    await measure('send with clientId (as the page sends)', async () => {
      const t = await login();
      return () => handlers['send-message'](sendEvent(t, warmRoom, 'hello', `c-${randomBytes(6).toString('hex')}`));
    });
    await measure('send, first to a room this instance has not seen', async () => {
      const t = await login();
      const r = room();
      return () => handlers['send-message'](sendEvent(t, r, 'hello', `c-${randomBytes(6).toString('hex')}`));
    });
    await measure('send repeated (same clientId)', async () => {
      const t = await login();
      const clientId = `c-${randomBytes(6).toString('hex')}`;
      await handlers['send-message'](sendEvent(t, warmRoom, 'hello', clientId));
      return () => handlers['send-message'](sendEvent(t, warmRoom, 'hello', clientId));
    });
    await measure('send over the limit (429)', async () => {
      // Send until refused (the burst is 10), then the refused send is the one counted.
      const t = await login();
      for (let i = 0; i < 30 && (await handlers['send-message'](sendEvent(t, warmRoom))).statusCode !== 429; i++);
      return () => handlers['send-message'](sendEvent(t, warmRoom));
    });
    await server.stop();

    const text = [
      table(
        ['request', 'status', 'store requests', 'by operation', 'RCU', 'WCU'],
        rows.map((r) => [
          r.label,
          r.status,
          r.requestsTotal,
          Object.entries(r.requests)
            .map(([op, n]) => `${op} ${n}`)
            .join(', ') || '-',
          r.rcu,
          r.wcu,
        ]),
      ),
      '',
      `mean of ${iterations} each; capacity units as DynamoDB Local reports them (strongly consistent reads: 1 RCU per 4 KB; transactions count double).`,
      'DynamoDB Local reports no units for a query that finds nothing, nor for a write whose condition fails;',
      'DynamoDB bills every read at least one 4 KB unit (1 RCU strongly consistent) and a failed conditional write as a write.',
    ].join('\n');
    return {
      title: '6. Store cost per request (DynamoDB requests and capacity units)',
      text,
      data: { iterations, rows },
    };
  } catch (error) {
    await server.kill9();
    throw error;
  }
}
