/**
 * Scenario 4, history: a room with 100,000 messages next to a room with 100. The bytes and
 * time of a first visit (newest page), a poll with nothing new, a poll with 10 new, a page
 * of history, and a send must not grow with the size of the room.
 *
 * The big room is written straight into DynamoDB Local in the message log's own item
 * format (25 items per BatchWriteItem): going through the API would take many minutes.
 */
import { BatchWriteItemCommand, DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { roomKey } from '#aws/table';
import { loginMany } from '../chat-load';
import { BenchClient, errorKind } from '../http-client';
import type { BenchContext, ScenarioResult } from '../scenario';
import { startServer } from '../server';
import { ms, summarize, table } from '../stats';

/** The table `npm start` creates (CHAT_TABLE_NAME's default). */
const TABLE = 'chat';
const SMALL = 100;
const REPEATS = 30;

async function fill(endpoint: string, room: string, count: number, log: (line: string) => void): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const start = Date.parse('2026-01-01T00:00:00Z');
  let next = 1;
  let reported = 0;
  const worker = async () => {
    while (next <= count) {
      const first = next;
      next = Math.min(count + 1, next + 25);
      let requests: WriteRequest[] = [];
      for (let id = first; id < next; id++) {
        requests.push({
          PutRequest: {
            Item: {
              pk: { S: roomKey(room) },
              sk: { N: String(id) },
              user: { S: `writer ${id % 37}` },
              uid: { S: `u_${(id % 37).toString(16).padStart(16, '0')}` },
              text: { S: `history message ${id}: the quick brown fox jumps over the lazy dog` },
              ts: { S: new Date(start + id * 1000).toISOString() },
              writeId: { S: 'bench-fill' },
            },
          },
        });
      }
      while (requests.length > 0) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
        requests = out.UnprocessedItems?.[TABLE] ?? [];
      }
      if (next - 1 - reported >= 20_000) {
        reported = next - 1;
        log(`history: ${reported} of ${count} written`);
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  client.destroy();
}

interface Probe {
  readonly bytes: number;
  readonly p50: number;
  readonly p95: number;
  readonly messages: number;
}

export async function history(ctx: BenchContext): Promise<ScenarioResult> {
  const big = ctx.quick ? 20_000 : 100_000;
  const server = await startServer({ env: { CHAT_SEND_RATE: '0' } });
  const http = new BenchClient(server.url);
  try {
    const rooms = { small: `bench-small-${Date.now()}`, big: `bench-big-${Date.now()}` };
    ctx.log(`history: writing ${big} messages into one room and ${SMALL} into another`);
    const t0 = performance.now();
    await fill(server.storeEndpoint!, rooms.small, SMALL, ctx.log);
    await fill(server.storeEndpoint!, rooms.big, big, ctx.log);
    const fillSeconds = Math.round((performance.now() - t0) / 1000);
    const [user] = await loginMany(http, 1);
    const token = user!.token;

    const probe = async (path: string): Promise<Probe> => {
      const times: number[] = [];
      let bytes = 0;
      let messages = 0;
      for (let i = 0; i < REPEATS; i++) {
        const reply = await http.call('GET', path, token);
        if (reply.status !== 200) throw new Error(`GET ${path}: ${errorKind(reply)}`);
        times.push(reply.ms);
        bytes = reply.bytes;
        messages = reply.json.messages.length;
      }
      const s = summarize(times);
      return { bytes, p50: s.p50, p95: s.p95, messages };
    };
    const sendProbe = async (room: string): Promise<Probe> => {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < 10; i++) {
        const reply = await http.call('POST', `/api/rooms/${room}/messages`, token, { text: `after the history ${i}` });
        if (reply.status !== 201) throw new Error(`send to ${room}: ${errorKind(reply)}`);
        times.push(reply.ms);
        bytes = reply.bytes;
      }
      const s = summarize(times);
      return { bytes, p50: s.p50, p95: s.p95, messages: 1 };
    };

    const measure = async (room: string, size: number) => ({
      firstVisit: await probe(`/api/rooms/${room}/messages`),
      pollNothingNew: await probe(`/api/rooms/${room}/messages?after=${size}`),
      pollTenNew: await probe(`/api/rooms/${room}/messages?after=${size - 10}`),
      historyPage: await probe(`/api/rooms/${room}/messages?before=${Math.ceil(size / 2)}&limit=100`),
      // The first send of a server that has not seen the room reads its head: one query, Limit 1.
      send: await sendProbe(room),
    });
    ctx.log('history: measuring');
    const small = await measure(rooms.small, SMALL);
    const large = await measure(rooms.big, big);
    http.close();
    await server.stop();

    const labels: Record<keyof typeof small, string> = {
      firstVisit: 'first visit (newest 100)',
      pollNothingNew: 'poll, nothing new',
      pollTenNew: 'poll, 10 new',
      historyPage: 'history page (before, 100)',
      send: 'send (first one reads the head)',
    };
    const cell = (p: Probe) => `${p.bytes} B, ${ms(p.p50)} / ${ms(p.p95)} ms`;
    const rows = (Object.keys(labels) as (keyof typeof small)[]).map((k) => [
      labels[k],
      cell(small[k]),
      cell(large[k]),
      ratio(large[k].p50, small[k].p50),
    ]);
    const text = [
      table(
        [
          'request',
          `room of ${SMALL}: bytes, p50 / p95`,
          `room of ${big.toLocaleString('en')}: bytes, p50 / p95`,
          'time ratio',
        ],
        rows,
      ),
      '',
      `${REPEATS} requests each (sends: 10); filling the big room directly in DynamoDB Local took ${fillSeconds} s`,
    ].join('\n');
    return {
      title: `4. History (${big.toLocaleString('en')} messages in one room)`,
      text,
      data: { small: { size: SMALL, ...small }, big: { size: big, ...large }, fillSeconds },
    };
  } catch (error) {
    http.close();
    await server.kill9();
    throw error;
  }
}

const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : '-');
