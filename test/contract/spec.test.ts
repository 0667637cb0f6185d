/**
 * openapi.yaml itself: it describes exactly the routes the code serves, its examples obey
 * its own schemas, its error codes are exactly those the code can produce, and the checker
 * built on it really rejects responses that drift from it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_STATUS } from '#http/error-codes';
import { ROUTES } from '#http/routes';
import { documentedStatuses, expectMatchesSpec, schemaAt, spec, type ObservedResponse } from '#test/support/openapi';
import { parseXmlStrictly, stopXmlChecker } from './support/xml';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every operation of the document as [method, path, operation]. */
const operations = (): Array<[string, string, any]> =>
  Object.entries<any>(spec.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m): [string, string, any] => [m.toUpperCase(), path, item[m]]),
  );

/** Source files of the server's code (lib/, but the stack and the local server). */
function functionSources(): string[] {
  const root = join(__dirname, '..', '..', 'lib');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  return files(root).map((f) => readFileSync(f, 'utf8'));
}

afterAll(() => stopXmlChecker());

describe('openapi.yaml', () => {
  it('documents exactly the routes the code serves, with the right security', () => {
    const documented = operations().map(([method, path, op]) => ({ method, path, public: op.security?.length === 0 }));
    const served = ROUTES.map((r) => ({ method: r.method, path: r.path, public: r.public }));
    const byKey = (a: { method: string; path: string }, b: { method: string; path: string }) =>
      `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`);
    expect(documented.sort(byKey)).toEqual(served.sort(byKey));
    for (const [, , op] of operations().filter(([, , op]) => op.security?.length !== 0)) {
      expect(op.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
    }
  });

  it('lists in Error.code exactly the error codes the code can produce', () => {
    const produced = new Set<string>();
    for (const source of functionSources()) {
      for (const m of source.matchAll(/badRequest\(\s*'([a-z_]+)'/g)) produced.add(m[1]!);
      for (const m of source.matchAll(/new ApiError\(\s*'([a-z_]+)'/g)) produced.add(m[1]!);
      for (const m of source.matchAll(/code:\s*'([a-z_]+)'/g)) produced.add(m[1]!);
    }
    const documented: string[] = spec.components.schemas.Error.properties.error.properties.code.enum;
    expect([...produced].sort()).toEqual([...documented].sort());
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...documented].sort());
    expect(documented.sort()).toEqual(
      [
        'invalid_json',
        'invalid_name',
        'invalid_room',
        'invalid_text',
        'invalid_cursor',
        'invalid_limit',
        'invalid_format',
        'invalid_wait',
        'invalid_state',
        'invalid_presence',
        'invalid_link',
        'invalid_emoji',
        'invalid_client_id',
        'unauthorized',
        'forbidden',
        'not_found',
        'message_deleted',
        'reaction_limit',
        'method_not_allowed',
        'payload_too_large',
        'headers_too_large',
        'unsupported_media_type',
        'rate_limited',
        'unavailable',
        'internal',
      ].sort(),
    );
  });

  it('documents no-store and a JSON error body for every error of every operation', () => {
    for (const [method, path] of operations()) {
      for (const status of documentedStatuses(method, path)) {
        const response = ((r: any) => (r.$ref ? spec.components.responses[r.$ref.split('/').pop()] : r))(
          spec.paths[path][method.toLowerCase()].responses[status],
        );
        const cacheControl = response.headers?.['Cache-Control'];
        expect({ method, path, status, cacheControl }).toEqual({
          method,
          path,
          status,
          cacheControl: { $ref: '#/components/headers/NoStore' },
        });
        if (status >= 400)
          expect({ method, path, status, types: Object.keys(response.content) }).toEqual({
            method,
            path,
            status,
            types: ['application/json'],
          });
      }
    }
  });

  it('has examples that obey their own schemas, and an XML example that is well-formed', async () => {
    let checked = 0;
    const visit = (node: unknown, pointer: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if ('schema' in n && 'example' in n && typeof n.schema === 'object') {
        const validate = schemaAt(`${pointer}/schema`);
        const example = n.example;
        expect({ pointer, valid: validate(example), errors: validate.errors ?? null }).toEqual({
          pointer,
          valid: true,
          errors: null,
        });
        checked++;
      }
      for (const [key, value] of Object.entries(n)) visit(value, `${pointer}/${escapePointer(key)}`);
    };
    visit(spec.paths, '/paths');
    visit(spec.components.parameters, '/components/parameters');
    expect(checked).toBeGreaterThanOrEqual(10);

    const xmlExample: string =
      spec.paths['/api/rooms/{room}/messages'].get.responses['200'].content['application/xml'].example;
    const root = await parseXmlStrictly(xmlExample);
    expect(root.name).toBe('messagelist');
    expect(Object.keys(root.attributes).sort()).toEqual(['hasMore', 'lastId', 'pollAfterMs']);
  });
});

describe('expectMatchesSpec', () => {
  const reply = (
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    cookies: string[] = [],
  ): ObservedResponse => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    cookies,
    text: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const message = {
    id: 1,
    room: 'lobby',
    user: 'Mei',
    uid: 'u_0123456789abcdef',
    text: 'hi',
    ts: '2026-11-25T17:01:02.345Z',
  };

  it('accepts a response as documented', () => {
    expect(expectMatchesSpec('POST', '/api/rooms/{room}/messages', 201, reply(201, message))).toBe('application/json');
  });

  it.each<[string, () => void]>([
    [
      'another status than expected',
      () => expectMatchesSpec('POST', '/api/rooms/{room}/messages', 201, reply(200, message)),
    ],
    [
      'an undocumented status',
      () => expectMatchesSpec('GET', '/api/health', 404, reply(404, { error: { code: 'not_found', message: 'x' } })),
    ],
    [
      'an undocumented body field',
      () => expectMatchesSpec('POST', '/api/rooms/{room}/messages', 201, reply(201, { ...message, extra: 1 })),
    ],
    [
      'a missing body field',
      () => expectMatchesSpec('POST', '/api/rooms/{room}/messages', 201, reply(201, { ...message, ts: undefined })),
    ],
    [
      'an error code not documented for the status',
      () => expectMatchesSpec('POST', '/api/login', 400, reply(400, { error: { code: 'invalid_text', message: 'x' } })),
    ],
    [
      'an undocumented content type',
      () => expectMatchesSpec('GET', '/api/health', 200, reply(200, { ok: true }, { 'content-type': 'text/plain' })),
    ],
    [
      'no Cache-Control',
      () => expectMatchesSpec('GET', '/api/health', 200, reply(200, { ok: true }, { 'cache-control': '' })),
    ],
    [
      'a 429 without Retry-After',
      () =>
        expectMatchesSpec(
          'POST',
          '/api/rooms/{room}/messages',
          429,
          reply(429, { error: { code: 'rate_limited', message: 'x' } }),
        ),
    ],
    [
      'a 405 without Allow',
      () =>
        expectMatchesSpec(
          'DELETE',
          '/api/login',
          405,
          reply(405, { error: { code: 'method_not_allowed', message: 'x' } }),
        ),
    ],
    [
      'a login without its cookie',
      () =>
        expectMatchesSpec(
          'POST',
          '/api/login',
          200,
          reply(200, { token: 'a.b.c', name: 'Mei', uid: message.uid, expiresAt: message.ts }),
        ),
    ],
    ['a body that is not JSON', () => expectMatchesSpec('GET', '/api/health', 200, reply(200, 'ok'))],
  ])('rejects %s', (_what, check) => {
    expect(check).toThrow();
  });
});
