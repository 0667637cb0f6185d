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
import { pause, type BenchContext, type ScenarioResult } from '../scenario';
import { startServer } from '../server';
import { table } from '../stats';
import { countRequests } from '#test/support/store-requests';
import { meanCost } from '../store-count';

/** Longer than one send interval at the default 5 a second. */
const QUIET_MS = 250;

interface Tally {
  requests: Record<string, number>;
  rcu: number;
  wcu: number;
  /** Items written by transactions (DynamoDB bills 2 WCU per item and KB in a transaction). */
  txItems: number;
}

interface Row {
  readonly label: string;
  readonly status: number;
  readonly requests: Record<string, number>;
  readonly requestsTotal: number;
  readonly rcu: number;
  readonly wcu: number;
  readonly txItems: number;
}

export async function storeCost(ctx: BenchContext): Promise<ScenarioResult> {
  const iterations = ctx.quick ? 4 : 10;
  const server = await startServer();
  try {
    // The handlers' configuration, as the stack would give it, pointing at DynamoDB Local.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const env = {
      DYNAMODB_ENDPOINT: server.storeEndpoint,
      CHAT_TABLE_NAME: 'chat',
      CHAT_SESSION_KEY: randomBytes(32).toString('base64'),
      AWS_REGION: 'local',
      // Every user here logs in from one address.
      CHAT_LOGIN_RATE: '0',
    };
    const services = createServices(loadConfig(env));
    const handlers = createHandlers(services);
    const dynamo = services.store;
    // The same handlers with an allowance of one change per 100 s, on the same (counted) store
    // client: a refusal for being over the limit, whatever the machine's speed.
    const strict = createHandlers(
      createServices(loadConfig({ ...env, CHAT_SEND_RATE: '0.01', CHAT_SEND_BURST: '1' }), { store: dynamo }),
    );

    let txItems = 0;
    const counted = countRequests(dynamo, (op, input) => {
      if (op === 'TransactWriteItems') txItems += (input as { TransactItems?: unknown[] }).TransactItems?.length ?? 0;
    });
    const take = (): Tally => {
      const { read, write } = counted.consumed();
      const items = txItems;
      txItems = 0;
      return { requests: counted.taken(), rcu: read, wcu: write, txItems: items };
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
      const costs: Tally[] = [];
      let status = 0;
      for (let i = 0; i < iterations; i++) {
        const act = await prepare();
        take();
        status = (await act()).statusCode ?? 0;
        costs.push(take());
      }
      rows.push({ label, status, ...meanCost(costs) });
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
      // One send takes the whole allowance (of the strict handlers), so the next is refused,
      // however slowly a loaded machine answers (a refill used to let a tenth of these through).
      const t = await login();
      await strict['send-message'](sendEvent(t, warmRoom));
      return () => strict['send-message'](sendEvent(t, warmRoom));
    });

    // Changes (v2): each on a message of its own, by a user of its own, in a room this
    // instance knows (so no head query); the message and any earlier changes are prepared uncounted.
    const changeEvent = (t: string, method: string, path: string, body?: object) =>
      apiEvent(method, `/api/rooms/${warmRoom}/messages/${path}`, { token: t, ...(body ? { body } : {}) });
    const change = (event: ReturnType<typeof apiEvent>) => handlers['change-message'](event);
    const ownMessage = async () => {
      const t = await login();
      const sent = json(await handlers['send-message'](sendEvent(t, warmRoom, 'to be changed')));
      return { t, id: sent.id as number };
    };
    // A change a moment after the same user's send or change costs the send limit a second
    // UpdateItem (see the send rows); the figures here are those of a user who was quiet.
    const quietly = async (act: Call, actionsBefore = 1): Promise<Call> => {
      await pause(actionsBefore * QUIET_MS);
      return act;
    };
    const thumbsUp = encodeURIComponent('👍');
    await measure('edit (PATCH)', async () => {
      const { t, id } = await ownMessage();
      return quietly(() => change(changeEvent(t, 'PATCH', `${id}`, { text: 'changed' })));
    });
    await measure('edit, the same text (no-op)', async () => {
      const { t, id } = await ownMessage();
      return quietly(() => change(changeEvent(t, 'PATCH', `${id}`, { text: 'to be changed' })));
    });
    await measure('react (PUT)', async () => {
      const { id } = await ownMessage();
      const other = await login();
      return quietly(() => change(changeEvent(other, 'PUT', `${id}/reactions/${thumbsUp}`)));
    });
    await measure('react again, already there (no-op)', async () => {
      const { id } = await ownMessage();
      const other = await login();
      await change(changeEvent(other, 'PUT', `${id}/reactions/${thumbsUp}`));
      return quietly(() => change(changeEvent(other, 'PUT', `${id}/reactions/${thumbsUp}`)));
    });
    await measure('take a reaction back (DELETE)', async () => {
      const { id } = await ownMessage();
      const other = await login();
      await change(changeEvent(other, 'PUT', `${id}/reactions/${thumbsUp}`));
      return quietly(() => change(changeEvent(other, 'DELETE', `${id}/reactions/${thumbsUp}`)));
    });
    await measure('delete, never changed', async () => {
      const { t, id } = await ownMessage();
      return quietly(() => change(changeEvent(t, 'DELETE', `${id}`)));
    });
    await measure('delete after 2 edits and 1 reaction (empties 3 entries)', async () => {
      const { t, id } = await ownMessage();
      await change(changeEvent(t, 'PATCH', `${id}`, { text: 'edit 1' }));
      await change(changeEvent(t, 'PATCH', `${id}`, { text: 'edit 2' }));
      await change(changeEvent(await login(), 'PUT', `${id}/reactions/${thumbsUp}`));
      // The author sent and edited twice: three send intervals to be quiet again.
      return quietly(() => change(changeEvent(t, 'DELETE', `${id}`)), 3);
    });
    await measure('delete again (no-op)', async () => {
      const { t, id } = await ownMessage();
      await change(changeEvent(t, 'DELETE', `${id}`));
      return quietly(() => change(changeEvent(t, 'DELETE', `${id}`)));
    });
    await measure("edit someone else's message (403)", async () => {
      const { id } = await ownMessage();
      const other = await login();
      return quietly(() => change(changeEvent(other, 'PATCH', `${id}`, { text: 'mine now' })));
    });
    await measure('change an unknown id (404)', async () => {
      const t = await login();
      return quietly(() => change(changeEvent(t, 'PATCH', '999999', { text: 'anyone?' })));
    });
    await measure('change over the limit (429)', async () => {
      // One edit takes the whole allowance (of the strict handlers), so the next is refused.
      const { t, id } = await ownMessage();
      await strict['change-message'](changeEvent(t, 'PATCH', `${id}`, { text: 'the one edit' }));
      return () => strict['change-message'](changeEvent(t, 'PATCH', `${id}`, { text: 'one more' }));
    });
    await server.stop();

    const text = [
      table(
        ['request', 'status', 'store requests', 'by operation', 'RCU', 'WCU', 'items in transactions'],
        rows.map((r) => [
          r.label,
          r.status,
          r.requestsTotal,
          Object.entries(r.requests)
            .map(([op, n]) => `${op} ${n}`)
            .join(', ') || '-',
          r.rcu,
          r.wcu,
          r.txItems,
        ]),
      ),
      '',
      `mean of ${iterations} each; capacity units as DynamoDB Local reports them (strongly consistent reads: 1 RCU per 4 KB; transactions count double).`,
      'A Query 0.1 beside a request is the instance refreshing the logged-out sessions it knows (once per 30 s), not the request.',
      'DynamoDB Local reports 2 units for a transaction whatever its size; DynamoDB bills 2 WCU per item (and KB) written in one,',
      'so a change (2 items) is billed 4 WCU plus the send limit, and a delete 2 more per earlier update entry it empties.',
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
