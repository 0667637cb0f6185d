/**
 * POST /api/rooms/{room}/messages: storing a message as the session's user, idempotent sends
 * with clientId, and every way a send is refused, each of which must store nothing.
 */
import { loadApp, apiEvent, call, uniqueRoom } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { bothTransports, type Reply, type Transport } from './support/transports';

const MESSAGES = '/api/rooms/{room}/messages';
const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  contentType: 'application/x-www-form-urlencoded',
});
type Options = NonNullable<Parameters<Transport['request']>[2]>;

let transports: Transport[];
beforeAll(async () => {
  // The send limit has its own tests; here it would only get in the way of the many sends.
  transports = await bothTransports(loadApp({ CHAT_SEND_RATE: '0' }));
});
afterAll(async () => Promise.all(transports.map((t) => t.close())));

describe.each(['handlers', 'local server over HTTP'])('sending through the %s', (name) => {
  const transport = () => transports.find((t) => t.name === name)!;
  const login = async (who = 'Mei') => {
    const res = await transport().request('POST', '/api/login', { body: { name: who } });
    expectMatchesSpec('POST', '/api/login', 200, res);
    return res.json as { token: string; name: string; uid: string };
  };
  const send = async (token: string, room: string, options: Options, status: number): Promise<Reply> => {
    const res = await transport().request('POST', `/api/rooms/${room}/messages`, { token, ...options });
    expectMatchesSpec('POST', MESSAGES, status, res);
    return res;
  };
  const refused = async (token: string, room: string, options: Options, status: number, code: string) => {
    const res = await send(token, room, options, status);
    expect({ sent: options.body, code: res.json.error.code }).toEqual({ sent: options.body, code });
  };
  /** Everything stored in a room (the tests here stay far below one page). */
  const stored = async (token: string, room: string) => {
    const res = await transport().request('GET', `/api/rooms/${room}/messages?after=0&limit=200`, { token });
    expectMatchesSpec('GET', MESSAGES, 200, res);
    return res.json.messages as Array<Record<string, unknown>>;
  };

  it('stores a new message with 201 and answers it with its id, the session user and the time', async () => {
    const user = await login('小明');
    const room = uniqueRoom();
    const before = Date.now();
    const res = await send(user.token, room, { body: { text: '你好', clientId: 'c-7f3e' } }, 201);
    expect(res.json).toEqual({
      kind: 'message',
      id: 1,
      room,
      user: '小明',
      uid: user.uid,
      text: '你好',
      ts: res.json.ts,
      clientId: 'c-7f3e',
    });
    expect(Date.parse(res.json.ts)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(res.json.ts)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await stored(user.token, room)).toEqual([res.json]);
  });

  it('answers a repeated clientId with 200 and the first message, and stores nothing', async () => {
    const user = await login();
    const room = uniqueRoom();
    const first = await send(user.token, room, { body: { text: 'first', clientId: 'same' } }, 201);
    const repeat = await send(user.token, room, { body: { text: 'first', clientId: 'same' } }, 200);
    expect(repeat.json).toEqual(first.json);
    // The repeat's own text does not matter: the first message is the answer.
    const changed = await send(user.token, room, { body: { text: 'second try', clientId: 'same' } }, 200);
    expect(changed.json).toEqual(first.json);
    const other = await send(user.token, room, { body: { text: 'other', clientId: 'other' } }, 201);
    expect(other.json.id).toBe(2);
    expect((await stored(user.token, room)).map((m) => m.text)).toEqual(['first', 'other']);
  });

  it('treats the same clientId from another user, or in another room, as a new message', async () => {
    const [ana, bo] = [await login('Ana'), await login('Bo')];
    const room = uniqueRoom();
    const otherRoom = uniqueRoom();
    await send(ana.token, room, { body: { text: 'a', clientId: 'shared' } }, 201);
    expect((await send(bo.token, room, { body: { text: 'b', clientId: 'shared' } }, 201)).json.uid).toBe(bo.uid);
    expect((await send(ana.token, otherRoom, { body: { text: 'c', clientId: 'shared' } }, 201)).json.room).toBe(
      otherRoom,
    );
    expect((await stored(ana.token, room)).map((m) => m.text)).toEqual(['a', 'b']);
  });

  it('stores every send without clientId, also identical ones, and answers without clientId', async () => {
    const user = await login();
    const room = uniqueRoom();
    const a = await send(user.token, room, { body: { text: 'same' } }, 201);
    const b = await send(user.token, room, { body: { text: 'same', clientId: null } }, 201);
    expect([a.json.id, b.json.id]).toEqual([1, 2]);
    expect(a.json).not.toHaveProperty('clientId');
    expect(b.json).not.toHaveProperty('clientId');
  });

  it('takes user and uid from the session, never from the body', async () => {
    const user = await login('Mei');
    const room = uniqueRoom();
    const res = await send(
      user.token,
      room,
      {
        body: {
          text: 'hi',
          user: 'admin',
          uid: 'u_0000000000000000',
          name: 'admin',
          id: 999,
          room: 'lobby',
          ts: '2000-01-01T00:00:00.000Z',
        },
      },
      201,
    );
    expect(res.json).toMatchObject({ id: 1, room, user: 'Mei', uid: user.uid, text: 'hi' });
    expect(res.json.ts).not.toBe('2000-01-01T00:00:00.000Z');
  });

  it('accepts the classic form field message=, with or without clientId', async () => {
    const user = await login();
    const room = uniqueRoom();
    expect((await send(user.token, room, form({ message: '你好 & <b>' }), 201)).json.text).toBe('你好 & <b>');
    const first = await send(user.token, room, form({ message: 'once', clientId: 'f1' }), 201);
    expect(first.json.clientId).toBe('f1');
    expect((await send(user.token, room, form({ message: 'once', clientId: 'f1' }), 200)).json).toEqual(first.json);
    expect((await send(user.token, room, form({ text: 'text= too' }), 201)).json.text).toBe('text= too');
    expect((await stored(user.token, room)).length).toBe(3);
  });

  it('takes message= from a form only: a JSON body carries text, or it is 400 invalid_text', async () => {
    const user = await login();
    const room = uniqueRoom();
    await refused(user.token, room, { body: { message: 'hi' } }, 400, 'invalid_text');
    await refused(user.token, room, { body: { message: 'hi', clientId: 'j1' } }, 400, 'invalid_text');
    await refused(user.token, room, { body: '{"message":"hi"}' }, 400, 'invalid_text');
    expect(await stored(user.token, room)).toEqual([]);
    // With text, a stray message field is ignored like any other unknown field.
    expect((await send(user.token, room, { body: { text: 'text', message: 'ignored' } }, 201)).json.text).toBe('text');
  });

  it('decodes the percent-escapes of a form as UTF-8, and refuses escapes that are not UTF-8 with 400 invalid_text', async () => {
    const user = await login();
    const room = uniqueRoom();
    const raw = (body: string) => ({ body, contentType: 'application/x-www-form-urlencoded' });
    for (const body of [
      'message=%FF',
      'message=caf%E9',
      'message=%C0%AF', // an overlong encoding of "/"
      'message=%ED%A0%80', // a UTF-16 surrogate
      'message=%E4%BD', // a character cut short
      'message=hi&clientId=%FF',
      'message=hi&other=%80',
      'message=hi&%FF=x',
    ]) {
      await refused(user.token, room, raw(body), 400, 'invalid_text');
    }
    expect(await stored(user.token, room)).toEqual([]);

    const kept: Array<[string, string]> = [
      ['message=%E4%BD%A0%E5%A5%BD', '你好'],
      ['message=a+b%2Bc', 'a b+c'],
      ['message=100%25+and+100%', '100% and 100%'],
      ['message=%zz%4', '%zz%4'],
      ['message=%EF%BF%BD', '\ufffd'], // a replacement character the sender meant
      ['message=first&message=last', 'last'],
    ];
    for (const [body, text] of kept) expect((await send(user.token, room, raw(body), 201)).json.text).toBe(text);
    expect((await stored(user.token, room)).map((m) => m.text)).toEqual(kept.map(([, text]) => text));
  });

  it('changes nothing and consumes no id or clientId when it refuses a send', async () => {
    const user = await login();
    const room = uniqueRoom();
    const first = await send(user.token, room, { body: { text: 'one', clientId: 'k1' } }, 201);
    const rejected: Array<[Options, number, string]> = [
      [{ body: { message: 'json has text', clientId: 'k2' } }, 400, 'invalid_text'],
      [form({ message: '\u0000', clientId: 'k2' }), 400, 'invalid_text'],
      [{ body: 'message=%FF&clientId=k2', contentType: 'application/x-www-form-urlencoded' }, 400, 'invalid_text'],
      [{ body: { text: 'hi', clientId: 'k 2' } }, 400, 'invalid_client_id'],
      [{ body: '{"text":"hi","clientId":"k2"', contentType: 'application/json' }, 400, 'invalid_json'],
      [{ body: '{"text":"hi","clientId":"k2"}', contentType: 'text/plain' }, 415, 'unsupported_media_type'],
      [{ body: { text: 'a'.repeat(17000), clientId: 'k2' } }, 413, 'payload_too_large'],
    ];
    for (const [options, status, code] of rejected) await refused(user.token, room, options, status, code);

    // The next send gets the next id, and k2 is new: no refused send recorded it.
    const second = await send(user.token, room, { body: { text: 'two', clientId: 'k2' } }, 201);
    expect(second.json.id).toBe(first.json.id + 1);
    expect((await stored(user.token, room)).map((m) => [m.id, m.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
  });

  it('keeps the text exactly as sent, less trailing white space', async () => {
    const user = await login();
    const room = uniqueRoom();
    const cases: Array<[string, string]> = [
      ['  leading spaces stay', '  leading spaces stay'],
      ['trailing goes  \t\n\r\n ', 'trailing goes'],
      ['ideographic and no-break spaces at the end\u3000\u00a0', 'ideographic and no-break spaces at the end'],
      ['line 1\nline 2\r\n\tindented', 'line 1\nline 2\r\n\tindented'],
      ['<b>not html</b> &amp; &lt;', '<b>not html</b> &amp; &lt;'],
      ['x', 'x'],
      ['😀'.repeat(2000), '😀'.repeat(2000)],
      [`${'a'.repeat(2000)}   `, 'a'.repeat(2000)],
    ];
    for (const [sent, kept] of cases) {
      expect((await send(user.token, room, { body: { text: sent } }, 201)).json.text).toBe(kept);
    }
    expect((await stored(user.token, room)).map((m) => m.text)).toEqual(cases.map(([, kept]) => kept));
  });

  it('refuses every bad body with 400 and stores nothing', async () => {
    const user = await login();
    const room = uniqueRoom();
    const cases: Array<[Options, string]> = [
      [{ body: '{"text": "hi"' }, 'invalid_json'],
      [{ body: '["hi"]' }, 'invalid_json'],
      [{ body: '"hi"' }, 'invalid_json'],
      [{ body: 'null' }, 'invalid_json'],
      [{ body: '' }, 'invalid_json'],
      [{ body: {} }, 'invalid_text'],
      [{ body: { message: 'hi' } }, 'invalid_text'],
      [{ body: { text: 5 } }, 'invalid_text'],
      [{ body: { text: null } }, 'invalid_text'],
      [{ body: { text: ['hi'] } }, 'invalid_text'],
      [{ body: { text: '' } }, 'invalid_text'],
      [{ body: { text: ' \t\n\r\n\u3000' } }, 'invalid_text'],
      [{ body: { text: 'a'.repeat(2001) } }, 'invalid_text'],
      [{ body: { text: '😀'.repeat(2001) } }, 'invalid_text'],
      [{ body: { text: '字'.repeat(2001) } }, 'invalid_text'],
      [{ body: { text: 'a\u0000b' } }, 'invalid_text'],
      [{ body: { text: 'bell\u0007' + 'x' } }, 'invalid_text'],
      [{ body: { text: 'a\u000bb' } }, 'invalid_text'],
      [{ body: { text: 'a\u000cb' } }, 'invalid_text'],
      [{ body: { text: 'esc\u001b[31m' } }, 'invalid_text'],
      [{ body: { text: 'a\u007fb' } }, 'invalid_text'],
      [{ body: { text: 'a\u0085b' } }, 'invalid_text'],
      [{ body: { text: 'a\u009fb' } }, 'invalid_text'],
      [{ body: { text: 'a\udc00b' } }, 'invalid_text'],
      [form({ message: '' }), 'invalid_text'],
      [form({ message: 'a\u0000' }), 'invalid_text'],
      [{ body: { text: 'hi', clientId: '' } }, 'invalid_client_id'],
      [{ body: { text: 'hi', clientId: 'a b' } }, 'invalid_client_id'],
      [{ body: { text: 'hi', clientId: 'c'.repeat(65) } }, 'invalid_client_id'],
      [{ body: { text: 'hi', clientId: 'ü' } }, 'invalid_client_id'],
      [{ body: { text: 'hi', clientId: 'a/b' } }, 'invalid_client_id'],
      [{ body: { text: 'hi', clientId: 5 } }, 'invalid_client_id'],
      [{ body: { text: 'hi', clientId: { id: 'x' } } }, 'invalid_client_id'],
      [form({ message: 'hi', clientId: '' }), 'invalid_client_id'],
      [{ body: 'message=%FF', contentType: 'application/x-www-form-urlencoded' }, 'invalid_text'],
    ];
    for (const [options, code] of cases) await refused(user.token, room, options, 400, code);
    expect(await stored(user.token, room)).toEqual([]);
    // The limits themselves are fine, and the refusals took no id.
    expect((await send(user.token, room, { body: { text: 'hi', clientId: 'c'.repeat(64) } }, 201)).json.id).toBe(1);
  });

  it('refuses a body over 16 KiB with 413 and stores nothing', async () => {
    const user = await login();
    const room = uniqueRoom();
    const frame = '{"text":""}'.length;
    // Exactly 16 KiB is looked at (and its text is too long); one byte more is refused unread.
    await refused(user.token, room, { body: `{"text":"${'a'.repeat(16 * 1024 - frame)}"}` }, 400, 'invalid_text');
    await refused(
      user.token,
      room,
      { body: `{"text":"${'a'.repeat(16 * 1024 - frame + 1)}"}` },
      413,
      'payload_too_large',
    );
    // Counted in bytes, not characters.
    await refused(user.token, room, { body: { text: '字'.repeat(6000) } }, 413, 'payload_too_large');
    await refused(user.token, room, form({ message: 'a'.repeat(17000) }), 413, 'payload_too_large');
    expect(await stored(user.token, room)).toEqual([]);
  });

  it('refuses a body neither JSON nor form-encoded, or not in UTF-8, with 415 and stores nothing', async () => {
    const user = await login();
    const room = uniqueRoom();
    const body = '{"text":"hi"}';
    for (const contentType of [
      'text/plain',
      'text/plain; charset=utf-8',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=iso-8859-1',
      'application/json; charset=utf-16',
      'application/x-www-form-urlencoded; charset=windows-1252',
      'application/jsonx',
    ]) {
      await refused(user.token, room, { body, contentType }, 415, 'unsupported_media_type');
    }
    expect(await stored(user.token, room)).toEqual([]);
    await send(user.token, room, { body, contentType: 'application/json; charset=UTF-8' }, 201);
  });

  it('refuses a bad room name with 400 and stores nothing', async () => {
    const user = await login();
    const long = uniqueRoom().padEnd(64, 'x');
    for (const room of [
      '..%2Fx',
      '..%2F..%2Fapi',
      'a%20b',
      `${long}y`,
      '%E4%BD%A0%E5%A5%BD',
      'lobby%00',
      'a.b',
      'a%2Fb',
      '%zz',
    ]) {
      await refused(user.token, room, { body: { text: 'hi' } }, 400, 'invalid_room');
    }
    expect(await stored(user.token, long)).toEqual([]);
    // 64 characters is a room; an empty room segment is no route at all.
    expect((await send(user.token, long, { body: { text: 'hi' } }, 201)).json.room).toBe(long);
    const empty = await transport().request('POST', '/api/rooms//messages', {
      token: user.token,
      body: { text: 'hi' },
    });
    expectMatchesSpec('POST', '/api/rooms//messages', 404, empty);
    expect(empty.json.error.code).toBe('not_found');
  });

  it('checks the session before anything else, and the room before the body', async () => {
    const user = await login();
    const res = await transport().request('POST', '/api/rooms/a%20b/messages', {
      body: 'x',
      contentType: 'text/plain',
    });
    expectMatchesSpec('POST', MESSAGES, 401, res);
    await refused(user.token, 'a%20b', { body: 'x'.repeat(20000), contentType: 'text/plain' }, 400, 'invalid_room');
    await refused(
      user.token,
      uniqueRoom(),
      { body: 'x'.repeat(20000), contentType: 'text/plain' },
      413,
      'payload_too_large',
    );
  });
});

describe('a body that is not UTF-8', () => {
  const app = loadApp({ CHAT_SEND_RATE: '0' });
  /** As API Gateway passes a body that is not UTF-8: base64-encoded. */
  const sendBytes = async (token: string, room: string, bytes: Buffer, contentType: string) => {
    const event = apiEvent('POST', `/api/rooms/${room}/messages`, { token, body: 'x', contentType });
    const result = await app.handlers['send-message']({
      ...event,
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    const res = {
      status: result.statusCode!,
      headers: lowerCaseKeys(result.headers),
      cookies: [],
      text: result.body ?? '',
    };
    expectMatchesSpec('POST', MESSAGES, 400, res);
    return JSON.parse(res.text).error.code;
  };

  it('is refused as invalid_json in JSON, as invalid_text in a form, and nothing is stored', async () => {
    const token = (await call(app, 'POST', '/api/login', { body: { name: 'Mei' } })).json.token;
    const room = uniqueRoom();
    const latin1 = Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    expect(await sendBytes(token, room, latin1, 'application/json')).toBe('invalid_json');
    const latin1Form = Buffer.concat([Buffer.from('message=caf'), Buffer.from([0xe9])]);
    expect(await sendBytes(token, room, latin1Form, 'application/x-www-form-urlencoded')).toBe('invalid_text');
    expect((await call(app, 'GET', `/api/rooms/${room}/messages`, { token })).json.messages).toEqual([]);
  });
});

function lowerCaseKeys(headers: Record<string, unknown> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}
