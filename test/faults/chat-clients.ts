/**
 * Careful chat clients over real HTTP, as the fault and crash tests drive them: a sender
 * repeats a send with the same clientId until it is acknowledged, a poller always asks for
 * "after the highest id I hold". Both record every answer, so a test can check that nothing
 * but 200/201 or a proper 503 was ever seen.
 */

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
}

/** Every answer that is neither a success nor the documented 503 `unavailable` with Retry-After. */
export function isProperUnavailable(answer: Answer): boolean {
  return (
    answer.status === 503 &&
    answer.json?.error?.code === 'unavailable' &&
    Number(answer.headers.get('retry-after')) >= 1
  );
}

export async function request(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

export async function loginOver(base: string, name: string): Promise<string> {
  const answer = await request(base, 'POST', '/api/login', undefined, { name });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json.token as string;
}

export interface Acknowledged {
  readonly id: number;
  readonly text: string;
  readonly clientId: string;
}

export interface Tally {
  readonly statuses: Record<number, number>;
  /** Answers that break the contract (anything but 200/201 and a proper 503). */
  readonly improper: string[];
}

export const newTally = (): Tally => ({ statuses: {}, improper: [] });

function record(tally: Tally, what: string, answer: Answer, ok: readonly number[]): void {
  tally.statuses[answer.status] = (tally.statuses[answer.status] ?? 0) + 1;
  if (!ok.includes(answer.status) && !isProperUnavailable(answer)) {
    tally.improper.push(`${what}: ${answer.status} ${JSON.stringify(answer.json)}`);
  }
}

/**
 * Sends one message, repeating it with the same clientId after each 503 or network error
 * until it is acknowledged. `patience` bounds the attempts (a test must end).
 */
export async function sendUntilAcknowledged(
  base: string,
  token: string,
  room: string,
  text: string,
  clientId: string,
  tally: Tally,
  pauseMs = 40,
  patience = 400,
): Promise<Acknowledged> {
  for (let attempt = 0; attempt < patience; attempt++) {
    let answer: Answer;
    try {
      answer = await request(base, 'POST', `/api/rooms/${room}/messages`, token, { text, clientId });
    } catch {
      await sleep(pauseMs);
      continue;
    }
    record(tally, `send ${clientId}`, answer, [200, 201]);
    if (answer.status === 200 || answer.status === 201) return { id: answer.json.id, text: answer.json.text, clientId };
    await sleep(pauseMs);
  }
  throw new Error(`send ${clientId} was never acknowledged`);
}

export interface Poller {
  lastId: number;
  /** Every id this poller was given, in the order given. */
  readonly seen: number[];
}

/** Polls until `done()` is true and a poll made after it has nothing more. */
export async function pollUntil(
  base: string,
  token: string,
  room: string,
  poller: Poller,
  tally: Tally,
  done: () => boolean,
  pauseMs = 30,
): Promise<void> {
  for (;;) {
    const finished = done(); // read before the poll, so the last poll sees every acknowledged message
    let answer: Answer;
    try {
      answer = await request(base, 'GET', `/api/rooms/${room}/messages?after=${poller.lastId}&limit=200`, token);
    } catch {
      await sleep(pauseMs);
      continue;
    }
    record(tally, 'poll', answer, [200]);
    if (answer.status === 200) {
      for (const m of answer.json.messages) poller.seen.push(m.id);
      poller.lastId = answer.json.lastId;
      if (finished && !answer.json.hasMore) return;
      if (answer.json.hasMore) continue;
    }
    await sleep(pauseMs);
  }
}

/** Every message of a room, oldest first, read page by page after 0. */
export async function readRoom(
  base: string,
  token: string,
  room: string,
): Promise<{ id: number; text: string; clientId?: string }[]> {
  const all: { id: number; text: string; clientId?: string }[] = [];
  let after = 0;
  for (;;) {
    const answer = await request(base, 'GET', `/api/rooms/${room}/messages?after=${after}&limit=200`, token);
    if (answer.status !== 200) throw new Error(`reading ${room}: ${answer.status} ${JSON.stringify(answer.json)}`);
    all.push(...answer.json.messages);
    after = answer.json.lastId;
    if (!answer.json.hasMore) return all;
  }
}

export const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
