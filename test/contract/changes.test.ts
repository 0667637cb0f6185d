/**
 * v2 message changes: PATCH and DELETE on a message, PUT and DELETE on a reaction. Every status
 * and code of the four operations, each answer validated against openapi.yaml; the log read
 * back after every change (one update entry at the next id, carrying the current `rev`) and
 * after every refusal (nothing changed). Run in both modes (the sole writer of its store, what
 * `npm start` is, and a shared store, what Lambda is) and through both transports.
 */
import { STATE_SK } from '#chat/presence/state-item';
import { TWENTY_EMOJI } from '#test/support/emoji';
import { loadApp, uniqueRoom, type App } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { bothTransports, type Reply, type Transport } from './support/transports';
import { childText, parseXmlStrictly, stopXmlChecker, type XmlElement } from './support/xml';

const MESSAGES = '/api/rooms/{room}/messages';
const MESSAGE = '/api/rooms/{room}/messages/{id}';
const REACTION = '/api/rooms/{room}/messages/{id}/reactions/{emoji}';
const MODES = [
  ['sole writer', { CHAT_SOLE_WRITER: '1' }],
  ['shared store', { CHAT_SOLE_WRITER: '0', CHAT_WAIT_CHECK_MS: '200' }],
] as const;
/** The sort key of a room's state item: a whole number, but no message. */
const STATE_ITEM_ID = String(STATE_SK);
const HOSTILE_EDIT = `<img src=x onerror=alert(1)> ]]> &amp; <![CDATA[ x ]]> "q" 'a' \r\n<?xml?> 😀`;

interface User {
  readonly token: string;
  readonly uid: string;
  readonly name: string;
}

type Options = NonNullable<Parameters<Transport['request']>[2]>;
type Json = Record<string, any>;

afterAll(() => stopXmlChecker());

describe.each(MODES)('changing messages, %s', (_, env) => {
  let app: App;
  let limited: App;
  let transports: Transport[];
  let limitedTransports: Transport[];
  beforeAll(async () => {
    app = loadApp({ ...env, CHAT_SEND_RATE: '0' });
    transports = await bothTransports(app);
    // A send allowance that does not refill while a test runs: 3 at once, then one per 100 s.
    limited = loadApp({ ...env, CHAT_SEND_RATE: '0.01', CHAT_SEND_BURST: '3' });
    limitedTransports = await bothTransports(limited);
  });
  afterAll(async () => Promise.all([...transports, ...limitedTransports].map((t) => t.close())));

  describe.each(['handlers', 'local server over HTTP'])('through the %s', (name) => {
    const transport = () => transports.find((t) => t.name === name)!;
    const loginAs = async (userName: string, via = transport()): Promise<User> => {
      const res = await via.request('POST', '/api/login', { body: { name: userName } });
      expectMatchesSpec('POST', '/api/login', 200, res);
      return { token: res.json.token, uid: res.json.uid, name: res.json.name };
    };
    const send = async (user: User, room: string, text: string, via = transport()): Promise<Json> => {
      const res = await via.request('POST', `/api/rooms/${room}/messages`, { token: user.token, body: { text } });
      expectMatchesSpec('POST', MESSAGES, 201, res);
      return res.json;
    };
    const read = async (user: User, room: string, query: string, via = transport()): Promise<Reply> => {
      const res = await via.request('GET', `/api/rooms/${room}/messages${query}`, { token: user.token });
      expectMatchesSpec('GET', MESSAGES, 200, res);
      return res;
    };
    /** Every entry of the room (the tests stay far below one page). */
    const log = async (user: User, room: string, via = transport()): Promise<Json[]> =>
      (await read(user, room, '?after=0&limit=200', via)).json.messages;

    const edit = async (user: User | undefined, room: string, id: number | string, body: Options, status: number) => {
      const res = await transport().request('PATCH', `/api/rooms/${room}/messages/${id}`, {
        token: user?.token,
        ...body,
      });
      expectMatchesSpec('PATCH', MESSAGE, status, res);
      return res;
    };
    const remove = async (
      user: User | undefined,
      room: string,
      id: number | string,
      status: number,
      via = transport(),
    ) => {
      const res = await via.request('DELETE', `/api/rooms/${room}/messages/${id}`, { token: user?.token });
      expectMatchesSpec('DELETE', MESSAGE, status, res);
      return res;
    };
    /** PUT (on) or DELETE (off) of a reaction; `emoji` is percent-encoded unless `raw`. */
    const react = async (
      user: User | undefined,
      room: string,
      id: number | string,
      emoji: string,
      on: boolean,
      status: number,
      options: { raw?: boolean; via?: Transport } = {},
    ) => {
      const method = on ? 'PUT' : 'DELETE';
      const segment = options.raw ? emoji : encodeURIComponent(emoji);
      const res = await (options.via ?? transport()).request(
        method,
        `/api/rooms/${room}/messages/${id}/reactions/${segment}`,
        { token: user?.token },
      );
      expectMatchesSpec(method, REACTION, status, res);
      return res;
    };
    const codeOf = (res: Reply): string => res.json.error.code;
    /** Updates in `entries`, by id. */
    const updates = (entries: readonly Json[]) => entries.filter((e) => e.kind === 'update');

    let ana: User;
    let bo: User;
    beforeAll(async () => {
      ana = await loginAs('Ana');
      bo = await loginAs('小明');
    });

    describe('PATCH (edit)', () => {
      it('answers 200 with the message as it now reads, and appends one update entry with the same rev', async () => {
        const room = uniqueRoom('edit');
        const sent = await send(ana, room, 'helo');
        const before = Date.now();
        const res = await edit(ana, room, sent.id, { body: { text: 'hello' } }, 200);
        expect(res.json).toEqual({ ...sent, kind: 'message', text: 'hello', rev: 1, editedAt: res.json.editedAt });
        expect(Date.parse(res.json.editedAt)).toBeGreaterThanOrEqual(before - 1000);
        expect(res.headers['cache-control']).toBe('no-store');

        const entries = await log(bo, room);
        expect(entries).toEqual([
          res.json,
          {
            kind: 'update',
            id: 2,
            room,
            user: 'Ana',
            uid: ana.uid,
            ts: res.json.editedAt,
            target: sent.id,
            message: res.json,
          },
        ]);
        // Form-encoded, as a classic page would send it, with `message`.
        const again = await edit(
          ana,
          room,
          sent.id,
          { body: 'message=hello%20again', contentType: 'application/x-www-form-urlencoded' },
          200,
        );
        expect(again.json).toMatchObject({ text: 'hello again', rev: 2 });
        expect((await log(bo, room)).map((e) => [e.id, e.kind, e.message?.rev ?? e.rev])).toEqual([
          [1, 'message', 2],
          [2, 'update', 1],
          [3, 'update', 2],
        ]);
      });

      it.each([
        ['an empty text', { text: '' }],
        ['only white space', { text: ' \n\t ' }],
        ['2001 characters', { text: '字'.repeat(2001) }],
        ['a control character', { text: 'bell \u0007' }],
        ['no text', {}],
        ['the classic name in JSON', { message: 'hi' }],
        ['a number', { text: 42 }],
      ])('refuses %s with 400 invalid_text and changes nothing', async (_, body) => {
        const room = uniqueRoom('edit');
        const sent = await send(ana, room, 'as sent');
        const res = await edit(ana, room, sent.id, { body }, 400);
        expect(codeOf(res)).toBe('invalid_text');
        expect(await log(ana, room)).toEqual([sent]);
      });

      it.each([
        ['malformed JSON', '{"text": "x'],
        ['a JSON array', '["x"]'],
        ['JSON null', 'null'],
        ['an empty body', ''],
      ])('refuses %s with 400 invalid_json and changes nothing', async (_, body) => {
        const room = uniqueRoom('edit');
        const sent = await send(ana, room, 'as sent');
        const res = await edit(ana, room, sent.id, { body, contentType: 'application/json' }, 400);
        expect(codeOf(res)).toBe('invalid_json');
        expect(await log(ana, room)).toEqual([sent]);
      });

      it('refuses a body that is neither JSON nor a form with 415, and one over 16 KiB with 413', async () => {
        const room = uniqueRoom('edit');
        const sent = await send(ana, room, 'as sent');
        const plain = await edit(ana, room, sent.id, { body: 'new text', contentType: 'text/plain' }, 415);
        expect(codeOf(plain)).toBe('unsupported_media_type');
        const big = await edit(ana, room, sent.id, { body: { text: 'x'.repeat(17 * 1024) } }, 413);
        expect(codeOf(big)).toBe('payload_too_large');
        expect(await log(ana, room)).toEqual([sent]);
      });

      it('keeps hostile text byte for byte in JSON and inert, well-formed XML', async () => {
        const room = uniqueRoom('edit');
        const sent = await send(ana, room, 'plain');
        const res = await edit(ana, room, sent.id, { body: { text: HOSTILE_EDIT } }, 200);
        expect(Buffer.from(res.json.text)).toEqual(Buffer.from(HOSTILE_EDIT.trimEnd()));
        const xml = await read(ana, room, '?after=0&format=xml');
        expect(xml.text).not.toMatch(/<img|<!\[CDATA\[|<\?xml\?>/);
        const messages = xmlMessages(await parseXmlStrictly(xml.text));
        expect(messages.map((m) => m.text)).toEqual([HOSTILE_EDIT, HOSTILE_EDIT]);
      });
    });

    describe('reactions (PUT and DELETE)', () => {
      it('counts reactions exactly, lists the first 20 who reacted in order, and takes one back', async () => {
        const room = uniqueRoom('react');
        const sent = await send(ana, room, 'react to me');
        const people = await Promise.all(Array.from({ length: 22 }, (_, i) => loginAs(`P${i}`)));
        let last: Reply | undefined;
        for (const p of people) last = await react(p, room, sent.id, '👍', true, 200);
        expect(last!.json.reactions).toEqual([{ emoji: '👍', count: 22, uids: people.slice(0, 20).map((p) => p.uid) }]);
        expect(last!.json.rev).toBe(22);

        const heart = await react(bo, room, sent.id, '❤️', true, 200);
        expect(heart.json.reactions).toEqual([
          { emoji: '👍', count: 22, uids: people.slice(0, 20).map((p) => p.uid) },
          { emoji: '❤️', count: 1, uids: [bo.uid] },
        ]);
        const off = await react(people[0], room, sent.id, '👍', false, 200);
        expect(off.json).toMatchObject({ rev: 24, text: 'react to me' });
        expect(off.json.reactions).toEqual([
          { emoji: '👍', count: 21, uids: people.slice(1, 21).map((p) => p.uid) },
          { emoji: '❤️', count: 1, uids: [bo.uid] },
        ]);
        expect(off.json).not.toHaveProperty('editedAt');

        const entries = await log(ana, room);
        expect(entries.map((e) => e.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
        expect(entries[0]).toEqual(off.json);
        expect(updates(entries).map((u) => [u.target, u.uid, u.message.rev])).toEqual([
          ...people.map((p, i) => [sent.id, p.uid, i + 1]),
          [sent.id, bo.uid, 23],
          [sent.id, people[0]!.uid, 24],
        ]);
        // The last reaction's entry holds the message exactly as the answer did.
        expect(entries.at(-1)!.message).toEqual(off.json);
      });

      it.each([
        ['with a skin tone', '👍🏽'],
        ['a ZWJ sequence', '👨‍👩‍👧'],
        ['a flag', '🇨🇳'],
        ['a keycap', '1️⃣'],
        ['a heart with its variation selector', '❤️'],
      ])('takes one emoji %s', async (_, emoji) => {
        const room = uniqueRoom('react');
        const sent = await send(ana, room, 'hi');
        const res = await react(bo, room, sent.id, emoji, true, 200);
        expect(res.json.reactions).toEqual([{ emoji, count: 1, uids: [bo.uid] }]);
        expect((await react(bo, room, sent.id, emoji, false, 200)).json).not.toHaveProperty('reactions');
      });

      it.each([
        ['text', 'like', false],
        ['two emoji', '👍👍', false],
        ['a bare heart without VS16', '\u2764', false],
        ['an emoji and text', '👍x', false],
        ['a percent-escape that is not UTF-8', '%FF', true],
        ['a cut-off UTF-8 sequence', '%F0%9F%91', true],
        ['an escaped NUL', '%00', true],
        ['an escaped slash', '%2F', true],
      ])('refuses %s with 400 invalid_emoji, for PUT and DELETE, and changes nothing', async (_, emoji, raw) => {
        const room = uniqueRoom('react');
        const sent = await send(ana, room, 'hi');
        for (const on of [true, false]) {
          const res = await react(bo, room, sent.id, emoji, on, 400, { raw });
          expect(codeOf(res)).toBe('invalid_emoji');
        }
        expect(await log(ana, room)).toEqual([sent]);
      });

      it('takes at most 20 different emoji (409 reaction_limit), while one already there takes more people', async () => {
        const room = uniqueRoom('react');
        const sent = await send(ana, room, 'popular');
        for (const emoji of TWENTY_EMOJI) await react(bo, room, sent.id, emoji, true, 200);
        const before = await log(ana, room);
        const full = await react(ana, room, sent.id, '🍕', true, 409);
        expect(codeOf(full)).toBe('reaction_limit');
        expect(await log(ana, room)).toEqual(before);
        const more = await react(ana, room, sent.id, '🎉', true, 200);
        expect(more.json.reactions).toHaveLength(20);
        expect(more.json.reactions.find((r: Json) => r.emoji === '🎉')).toEqual({
          emoji: '🎉',
          count: 2,
          uids: [bo.uid, ana.uid],
        });
        // Once an emoji is gone again, there is room for another.
        await react(bo, room, sent.id, '⭐', false, 200);
        const pizza = await react(ana, room, sent.id, '🍕', true, 200);
        expect(pizza.json.reactions.map((r: Json) => r.emoji)).toEqual([...TWENTY_EMOJI.slice(0, 19), '🍕']);
      });
    });

    describe('DELETE (delete)', () => {
      it('empties the message and every earlier update entry of it, keeps its id and author, and appends one entry', async () => {
        const room = uniqueRoom('delete');
        const sent = await send(ana, room, 'secret one');
        const other = await send(bo, room, 'stays');
        await edit(ana, room, sent.id, { body: { text: 'secret two' } }, 200);
        await react(bo, room, sent.id, '👍', true, 200);
        await react(ana, room, other.id, '🎉', true, 200);
        const res = await remove(ana, room, sent.id, 200);
        expect(res.json).toEqual({
          kind: 'message',
          id: sent.id,
          room,
          user: 'Ana',
          uid: ana.uid,
          text: '',
          ts: sent.ts,
          rev: 3,
          editedAt: res.json.editedAt,
          deleted: true,
        });

        const entries = await log(bo, room);
        expect(entries.map((e) => [e.id, e.kind, e.target])).toEqual([
          [1, 'message', undefined],
          [2, 'message', undefined],
          [3, 'update', 1],
          [4, 'update', 1],
          [5, 'update', 2],
          [6, 'update', 1],
        ]);
        expect(entries[0]).toEqual(res.json);
        for (const u of updates(entries).filter((e) => e.target === sent.id)) {
          expect(u.message).toMatchObject({ text: '', deleted: true });
          expect(u.message).not.toHaveProperty('reactions');
        }
        expect(entries[5]).toMatchObject({ uid: ana.uid, message: res.json });
        // The other message and its entry are untouched.
        expect(entries[1]).toMatchObject({ text: 'stays', rev: 1, reactions: [{ emoji: '🎉', count: 1 }] });
        expect(entries[4]!.message).toMatchObject({ text: 'stays', rev: 1 });
        expect(JSON.stringify(entries)).not.toContain('secret');
      });

      it('answers a second delete with 200 and appends nothing, and refuses edits and reactions after it with 409', async () => {
        const room = uniqueRoom('delete');
        const sent = await send(ana, room, 'bye');
        await react(bo, room, sent.id, '👍', true, 200);
        const deleted = await remove(ana, room, sent.id, 200);
        const before = await log(ana, room);
        expect(before).toHaveLength(3);
        expect((await remove(ana, room, sent.id, 200)).json).toEqual(deleted.json);

        const refusals = [
          await edit(ana, room, sent.id, { body: { text: 'back' } }, 409),
          await react(bo, room, sent.id, '🎉', true, 409),
          await react(bo, room, sent.id, '👍', false, 409),
        ];
        expect(refusals.map(codeOf)).toEqual(['message_deleted', 'message_deleted', 'message_deleted']);
        expect(await log(ana, room)).toEqual(before);
      });
    });

    describe('refusals common to the four operations', () => {
      /** Each operation on message `id`, with the status that is expected of it. */
      const everyOperation = (user: User | undefined, room: string, id: number | string, status: number) => [
        () => edit(user, room, id, { body: { text: 'changed' } }, status),
        () => remove(user, room, id, status),
        () => react(user, room, id, '👍', true, status),
        () => react(user, room, id, '👍', false, status),
      ];

      it.each([
        ['0', '0'],
        ['negative', '-1'],
        ['a fraction', '1.5'],
        ['not a number', 'abc'],
        ['with a leading zero', '01'],
        ['beyond any safe integer', '99999999999999999999'],
        ['just past the safe integers', '9007199254740992'],
        ['an exponent', '1e3'],
      ])('refuses an id that is %s with 400 invalid_cursor', async (_, id) => {
        const room = uniqueRoom('refuse');
        const sent = await send(ana, room, 'hi');
        for (const op of everyOperation(ana, room, id, 400)) expect(codeOf(await op())).toBe('invalid_cursor');
        expect(await log(ana, room)).toEqual([sent]);
      });

      it('refuses no session and a forged one with 401', async () => {
        const room = uniqueRoom('refuse');
        const sent = await send(ana, room, 'hi');
        const forged = { ...ana, token: `${ana.token}x` };
        for (const user of [undefined, forged]) {
          for (const op of everyOperation(user, room, sent.id, 401)) expect(codeOf(await op())).toBe('unauthorized');
        }
        expect(await log(ana, room)).toEqual([sent]);
      });

      it("refuses to edit or delete someone else's message with 403, but lets anyone react", async () => {
        const room = uniqueRoom('refuse');
        const sent = await send(ana, room, "Ana's");
        expect(codeOf(await edit(bo, room, sent.id, { body: { text: 'mine now' } }, 403))).toBe('forbidden');
        expect(codeOf(await remove(bo, room, sent.id, 403))).toBe('forbidden');
        // The same text is still someone else's message: 403, not a no-op.
        expect(codeOf(await edit(bo, room, sent.id, { body: { text: "Ana's" } }, 403))).toBe('forbidden');
        expect(await log(ana, room)).toEqual([sent]);
        expect((await react(bo, room, sent.id, '👍', true, 200)).json.reactions).toEqual([
          { emoji: '👍', count: 1, uids: [bo.uid] },
        ]);
        // Nor can anyone take back someone else's reaction: that is a no-op of their own.
        expect((await react(ana, room, sent.id, '👍', false, 200)).json.reactions).toHaveLength(1);
        await remove(ana, room, sent.id, 200);
        expect(codeOf(await remove(bo, room, sent.id, 403))).toBe('forbidden');
      });

      it("refuses an unknown id, an update entry's id, another room's message and the state item's key with 404", async () => {
        const room = uniqueRoom('refuse');
        const elsewhere = uniqueRoom('refuse');
        const sent = await send(ana, room, 'hi');
        await react(bo, room, sent.id, '🎉', true, 200);
        // Someone present in the room, so that a state item exists where the store keeps it.
        await transport().request('POST', `/api/rooms/${room}/presence`, { token: bo.token, body: {} });
        for (const i of [1, 2, 3]) await send(ana, elsewhere, `elsewhere ${i}`);
        const before = await log(ana, room);
        for (const id of ['99', '2', STATE_ITEM_ID]) {
          for (const op of everyOperation(ana, room, id, 404)) expect(codeOf(await op())).toBe('not_found');
        }
        expect(await log(ana, room)).toEqual(before);
        // Message 3 of the other room is no message of this one (nor is this room's 1 of an empty one).
        for (const op of everyOperation(ana, room, 3, 404)) expect(codeOf(await op())).toBe('not_found');
        for (const op of everyOperation(ana, uniqueRoom('empty'), 1, 404)) expect(codeOf(await op())).toBe('not_found');
        expect((await log(ana, elsewhere)).map((m) => m.rev)).toEqual([undefined, undefined, undefined]);
      });

      it('refuses a bad room with 400 invalid_room', async () => {
        for (const op of everyOperation(ana, 'no%20spaces', 1, 400)) expect(codeOf(await op())).toBe('invalid_room');
      });
    });

    describe('no-op changes', () => {
      it('answer 200 with the message as it reads and append nothing', async () => {
        const room = uniqueRoom('noop');
        const sent = await send(ana, room, 'same');
        const reacted = await react(bo, room, sent.id, '👍', true, 200);
        const before = await log(ana, room);
        const answers = [
          await edit(ana, room, sent.id, { body: { text: 'same' } }, 200),
          // Trailing white space is trimmed, so this is the same text too.
          await edit(ana, room, sent.id, { body: { text: 'same  \n' } }, 200),
          await react(bo, room, sent.id, '👍', true, 200),
          await react(bo, room, sent.id, '🎉', false, 200),
          await react(ana, room, sent.id, '👍', false, 200),
        ];
        for (const res of answers) expect(res.json).toEqual(reacted.json);
        expect(await log(ana, room)).toEqual(before);
      });
    });

    describe('the send allowance', () => {
      const limitedTransport = () => limitedTransports.find((t) => t.name === name)!;

      it('counts changes, not refusals nor no-ops, and answers 429 with Retry-After past it', async () => {
        const via = limitedTransport();
        const room = uniqueRoom('limit');
        const [author, other] = [await loginAs('Author', via), await loginAs('Other', via)];
        const mine = await send(author, room, 'mine', via);
        const theirs = await send(other, room, 'theirs', via);
        const call = (method: string, path: string, body?: object) =>
          via.request(method, `/api/rooms/${room}/messages/${path}`, { token: author.token, body });

        // Refusals and no-ops, many more than the burst: none of them takes from the allowance.
        for (let i = 0; i < 2; i++) {
          expect((await call('PATCH', `${theirs.id}`, { text: 'x' })).status).toBe(403);
          expect((await call('DELETE', '99')).status).toBe(404);
          expect((await call('PATCH', `${mine.id}`, { text: 'mine' })).status).toBe(200);
          expect((await call('DELETE', `${mine.id}/reactions/${encodeURIComponent('👍')}`)).status).toBe(200);
        }
        // The send took 1 of the burst of 3: two changes fit, the third does not.
        expect((await call('PUT', `${theirs.id}/reactions/${encodeURIComponent('👍')}`)).status).toBe(200);
        expect((await call('PATCH', `${mine.id}`, { text: 'mine, edited' })).status).toBe(200);
        const before = await log(author, room, via);
        for (const [method, path, body] of [
          ['PATCH', `${mine.id}`, { text: 'once more' }],
          ['DELETE', `${mine.id}`],
          ['PUT', `${mine.id}/reactions/${encodeURIComponent('🎉')}`],
          ['DELETE', `${theirs.id}/reactions/${encodeURIComponent('👍')}`],
        ] as const) {
          const res = await call(method, path, body);
          expectMatchesSpec(method, path.includes('reactions') ? REACTION : MESSAGE, 429, res);
          expect(codeOf(res)).toBe('rate_limited');
          expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        }
        expect(await log(author, room, via)).toEqual(before);
        // A no-op still answers while the allowance is used up.
        expect((await call('PATCH', `${mine.id}`, { text: 'mine, edited' })).json).toMatchObject({ rev: 1 });
      });
    });

    describe('update entries through the cursor', () => {
      it('appear exactly once after the cursor, in order, each with the rev the message had after it', async () => {
        const room = uniqueRoom('cursor');
        const first = await send(ana, room, 'first');
        const second = await send(bo, room, 'second');
        let cursor = (await read(bo, room, '?after=0')).json.lastId;
        expect(cursor).toBe(2);
        const seen: Json[] = [];
        const poll = async () => {
          const page = (await read(bo, room, `?after=${cursor}`)).json;
          seen.push(...page.messages);
          cursor = page.lastId;
          return page;
        };
        await edit(ana, room, first.id, { body: { text: 'first, edited' } }, 200);
        await react(bo, room, first.id, '👍', true, 200);
        await poll();
        await react(ana, room, second.id, '😂', true, 200);
        await send(ana, room, 'third');
        await edit(ana, room, first.id, { body: { text: 'first, edited twice' } }, 200);
        await poll();
        const last = await remove(ana, room, first.id, 200);
        await poll();
        expect((await poll()).messages).toEqual([]);

        expect(seen.map((e) => e.id)).toEqual([3, 4, 5, 6, 7, 8]);
        expect(seen.map((e) => (e.kind === 'update' ? [e.target, e.message.rev] : ['new', e.id]))).toEqual([
          [1, 1],
          [1, 2],
          [2, 1],
          ['new', 6],
          [1, 3],
          [1, 4],
        ]);
        // A client applying each update whose rev is higher than what it holds ends with the room as it reads.
        const held = new Map<number, Json>([
          [first.id, first],
          [second.id, second],
        ]);
        for (const e of seen) {
          if (e.kind !== 'update') held.set(e.id, e);
          else if (e.message.rev > (held.get(e.target)?.rev ?? 0)) held.set(e.target, e.message);
        }
        const now = (await log(bo, room)).filter((e) => e.kind === 'message');
        expect([...held.values()].sort((a, b) => a.id - b.id)).toEqual(now);
        expect(now[0]).toEqual(last.json);
      });

      it('show messages as they now read in a newest read and in a history page', async () => {
        const room = uniqueRoom('cursor');
        const first = await send(ana, room, 'one');
        await send(bo, room, 'two');
        await edit(ana, room, first.id, { body: { text: 'one, edited' } }, 200);
        const latest = await react(bo, room, first.id, '🎉', true, 200);
        const newest = (await read(bo, room, '?limit=10')).json.messages;
        const history = (await read(bo, room, '?before=4&limit=10')).json.messages;
        expect(newest[0]).toEqual(latest.json);
        expect(history[0]).toEqual(latest.json);
        expect(history.map((e: Json) => e.id)).toEqual([1, 2, 3]);
        // An earlier update entry still carries the message as it read after that change.
        expect(history[2].message).toMatchObject({ text: 'one, edited', rev: 1 });
        expect(history[2].message).not.toHaveProperty('reactions');
      });

      it('wake a held poll when someone else changes a message', async () => {
        const room = uniqueRoom('wake');
        const sent = await send(ana, room, 'watch me');
        const held = read(ana, room, `?after=${sent.id}&wait=25`);
        const early = await Promise.race([held.then(() => 'answered'), sleep(300).then(() => 'held')]);
        expect(early).toBe('held');
        const changed = await react(bo, room, sent.id, '👀', true, 200);
        const woken = (await held).json;
        expect(woken.messages).toEqual([
          expect.objectContaining({ kind: 'update', id: 2, target: sent.id, uid: bo.uid, message: changed.json }),
        ]);
        expect(woken).toMatchObject({ lastId: 2, pollAfterMs: 0 });
      });
    });

    describe('XML (?format=xml)', () => {
      it('lists every entry as a <message> with its <id>; update entries add <kind> and <target>; a deleted one is empty', async () => {
        const room = uniqueRoom('xml');
        const kept = await send(ana, room, 'zero');
        const gone = await send(ana, room, 'going & gone');
        await edit(ana, room, kept.id, { body: { text: 'one <b>' } }, 200);
        await edit(ana, room, kept.id, { body: { text: 'two & "three"' } }, 200);
        await react(bo, room, kept.id, '👍', true, 200);
        await edit(ana, room, gone.id, { body: { text: 'about to go' } }, 200);
        await remove(ana, room, gone.id, 200);

        const xml = await read(bo, room, '?after=0&format=xml');
        expect(xml.headers['content-type']).toBe('application/xml; charset=utf-8');
        const root = await parseXmlStrictly(xml.text);
        expect(root.attributes.lastId).toBe('7');
        const who = (uid: string) => (uid === ana.uid ? 'Ana' : '小明');
        expect(xmlMessages(root).map(({ ts: _ts, ...m }) => m)).toEqual([
          { id: 1, user: 'Ana', uid: ana.uid, text: 'two & "three"', elements: BASE },
          { id: 2, user: 'Ana', uid: ana.uid, text: '', deleted: 'true', elements: [...BASE, 'deleted'] },
          { id: 3, user: 'Ana', uid: ana.uid, text: 'one <b>', kind: 'update', target: 1, elements: UPDATE },
          { id: 4, user: 'Ana', uid: ana.uid, text: 'two & "three"', kind: 'update', target: 1, elements: UPDATE },
          { id: 5, user: who(bo.uid), uid: bo.uid, text: 'two & "three"', kind: 'update', target: 1, elements: UPDATE },
          { id: 6, user: 'Ana', uid: ana.uid, text: '', kind: 'update', target: 2, elements: UPDATE },
          { id: 7, user: 'Ana', uid: ana.uid, text: '', kind: 'update', target: 2, elements: UPDATE },
        ]);
        expect(xml.text).not.toContain('going');
        expect(xml.text).not.toContain('about to go');
        // The same entries as the JSON page, id for id.
        const json = await log(bo, room);
        expect(xmlMessages(root).map((m) => m.id)).toEqual(json.map((e) => e.id));
        // A classic client's lastid advances over update entries too.
        const after = xmlMessages(await parseXmlStrictly((await read(bo, room, '?after=5&format=xml')).text));
        expect(after.map((m) => m.id)).toEqual([6, 7]);
      });
    });
  });
});

const BASE = ['id', 'user', 'msg', 'ts', 'uid'];
const UPDATE = [...BASE, 'kind', 'target'];

/** The entries of a parsed `<messagelist>`, as a classic XML client reads them. */
function xmlMessages(root: XmlElement) {
  return root.children
    .filter((c) => c.name === 'message')
    .map((m) => {
      const kind = childText(m, 'kind');
      const target = childText(m, 'target');
      const deleted = childText(m, 'deleted');
      return {
        id: Number(childText(m, 'id')),
        user: childText(m, 'user'),
        uid: childText(m, 'uid'),
        text: childText(m, 'msg'),
        ts: childText(m, 'ts'),
        ...(kind !== undefined ? { kind } : {}),
        ...(target !== undefined ? { target: Number(target) } : {}),
        ...(deleted !== undefined ? { deleted } : {}),
        elements: m.children.map((c) => c.name),
      };
    });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
