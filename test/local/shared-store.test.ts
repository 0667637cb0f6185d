/**
 * Two local servers on one store, as two machines (or Lambda instances) sharing a DynamoDB:
 * clients long-poll on one while others send on the other. Neither server assumes it is the
 * only writer, so the held polls find the messages by re-checking the store, and every
 * poller gets every id once, in order.
 */
import { request } from '#test/faults/chat-clients';
import { loadApp, startLocalServer, uniqueRoom } from '#test/support/app';

const SENDERS = 3;
const PER_SENDER = 10;
const POLLERS = 3;

it('delivers every message sent on one server to the pollers held on the other', async () => {
  const shared = { CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '0', CHAT_WAIT_CHECK_MS: '200' };
  const sending = await startLocalServer(loadApp(shared));
  const polling = await startLocalServer(loadApp(shared));
  try {
    const room = uniqueRoom('shared');
    const token = (await request(sending.url, 'POST', '/api/login', undefined, { name: 'Both' })).json.token;
    let done = false;
    const poll = async () => {
      const ids: number[] = [];
      let after = 0;
      for (;;) {
        const finished = done;
        const res = await request(polling.url, 'GET', `/api/rooms/${room}/messages?after=${after}&wait=2`, token);
        expect(res.status).toBe(200);
        ids.push(...res.json.messages.map((m: { id: number }) => m.id));
        after = res.json.lastId;
        if (finished && !res.json.hasMore) return ids;
      }
    };
    const pollers = Array.from({ length: POLLERS }, poll);
    await Promise.all(
      Array.from({ length: SENDERS }, async (_, s) => {
        for (let n = 0; n < PER_SENDER; n++) {
          const res = await request(sending.url, 'POST', `/api/rooms/${room}/messages`, token, {
            text: `s${s} m${n}`,
            clientId: `s${s}-${n}`,
          });
          expect(res.status).toBe(201);
        }
      }),
    );
    done = true;
    const expected = Array.from({ length: SENDERS * PER_SENDER }, (_, i) => i + 1);
    for (const ids of await Promise.all(pollers)) expect(ids).toEqual(expected);
  } finally {
    await Promise.all([sending.close(), polling.close()]);
  }
}, 60_000);
