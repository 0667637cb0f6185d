/**
 * The page as the local server serves it: compressed when the client accepts it, hashed
 * script and stylesheet names cached for good, everything else revalidated by ETag.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { chooseEncoding, IMMUTABLE, REVALIDATE } from '#local/static-files';
import { loadApp, startLocalServer } from '#test/support/app';
import { runBuilder } from '#test/support/build';
import { rawRequest } from '#test/support/raw-http';

describe('the page files', () => {
  const app = loadApp();
  let webRoot: string;
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  let script: string;
  let stylesheet: string;
  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'chat-static-'));
    await runBuilder('buildWeb', webRoot);
    server = await startLocalServer(app, webRoot);
    const names = readdirSync(webRoot);
    script = names.find((f) => /^app-[A-Z0-9]{8}\.js$/.test(f))!;
    stylesheet = names.find((f) => /^styles-[A-Z0-9]{8}\.css$/.test(f))!;
  }, 60_000);
  afterAll(async () => {
    await server.close();
    rmSync(webRoot, { recursive: true, force: true });
  });
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    rawRequest(`${server.url}${path}`, { method, headers });

  it('names the script and the stylesheet by their content, and index.html refers to those names', () => {
    expect(script).toBeDefined();
    expect(stylesheet).toBeDefined();
    const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
    expect(html).toContain(`src="${script}"`);
    expect(html).toContain(`href="${stylesheet}"`);
    expect(html).not.toMatch(/"(app\.js|styles\.css)"/);
  });

  it('answers in brotli or gzip as the client accepts, and as the file is otherwise', async () => {
    for (const path of ['/', `/${script}`, `/${stylesheet}`]) {
      const original = readFileSync(join(webRoot, path === '/' ? 'index.html' : path));
      const br = await get(path, { 'Accept-Encoding': 'gzip, deflate, br' });
      const gz = await get(path, { 'Accept-Encoding': 'gzip' });
      const plain = await get(path);

      expect([br.headers['content-encoding'], gz.headers['content-encoding']]).toEqual(['br', 'gzip']);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(brotliDecompressSync(br.body)).toEqual(original);
      expect(gunzipSync(gz.body)).toEqual(original);
      expect(plain.body).toEqual(original);
      expect(br.body.length).toBeLessThan(original.length / 2);
      for (const res of [br, gz, plain]) {
        expect(res.headers.vary).toBe('Accept-Encoding');
        expect(Number(res.headers['content-length'])).toBe(res.body.length);
      }
    }
  });

  it('follows the q-values of Accept-Encoding', () => {
    const all = ['identity', 'gzip', 'br'] as const;
    expect(chooseEncoding(undefined, all)).toBe('identity');
    expect(chooseEncoding('gzip, br', all)).toBe('br');
    expect(chooseEncoding('br;q=0.5, gzip', all)).toBe('gzip');
    expect(chooseEncoding('gzip;q=0, br;q=0', all)).toBe('identity');
    expect(chooseEncoding('*', all)).toBe('br');
    expect(chooseEncoding('*;q=0.2, identity', all)).toBe('identity');
    expect(chooseEncoding('deflate', all)).toBe('identity');
    expect(chooseEncoding('BR', all)).toBe('br');
    expect(chooseEncoding('gzip, br', ['identity', 'gzip'])).toBe('gzip');
  });

  it('lets a browser keep the hashed names for good and makes it revalidate index.html and the rest', async () => {
    for (const path of [`/${script}`, `/${stylesheet}`])
      expect((await get(path)).headers['cache-control']).toBe(IMMUTABLE);
    for (const path of ['/', '/index.html', '/favicon.svg', `/${script}.map`]) {
      expect((await get(path)).headers['cache-control']).toBe(REVALIDATE);
    }
    expect(IMMUTABLE).toBe('public, max-age=31536000, immutable');
    expect(REVALIDATE).toBe('no-cache');
  });

  it('answers a revalidation with 304 and no body, by an ETag that differs per encoding', async () => {
    const br = await get('/', { 'Accept-Encoding': 'br' });
    const plain = await get('/');
    expect(br.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(br.headers.etag).not.toBe(plain.headers.etag);

    const again = await get('/', { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag as string });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(br.headers.etag);
    expect(again.headers['cache-control']).toBe(REVALIDATE);
    // Another encoding's tag is another representation: the full answer.
    expect((await get('/', { 'If-None-Match': br.headers.etag as string })).status).toBe(200);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await get(`/${script}`, { 'Accept-Encoding': 'br' }, 'HEAD');
    const full = await get(`/${script}`, { 'Accept-Encoding': 'br' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(full.headers['content-length']);
    expect(head.headers['content-encoding']).toBe('br');
  });

  it('keeps the page security headers on every file', async () => {
    for (const path of ['/', `/${script}`, '/favicon.svg']) {
      const res = await get(path, { 'Accept-Encoding': 'br' });
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('a page file that changes while the server runs', () => {
  it('is served as it now is, compressed anew', async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'chat-static-'));
    const server = await startLocalServer(loadApp(), webRoot);
    try {
      const page = join(webRoot, 'index.html');
      writeFileSync(page, `<html>${'first '.repeat(200)}</html>`);
      const first = await rawRequest(`${server.url}/`, { headers: { 'Accept-Encoding': 'gzip' } });
      writeFileSync(page, `<html>${'second '.repeat(300)}</html>`);
      const second = await rawRequest(`${server.url}/`, { headers: { 'Accept-Encoding': 'gzip' } });

      expect(gunzipSync(first.body).toString()).toContain('first');
      expect(gunzipSync(second.body).toString()).toContain('second');
      expect(second.headers.etag).not.toBe(first.headers.etag);
    } finally {
      await server.close();
      rmSync(webRoot, { recursive: true, force: true });
    }
  });
});
