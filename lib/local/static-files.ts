/**
 * The page's files, served as CloudFront serves them from the bucket (`/` is index.html),
 * compressed when the client accepts it and with cache headers a browser can act on:
 * content-hashed names (`app-5XQ3ZK2L.js`, as the build names the script and stylesheet) are
 * immutable for a year, everything else is revalidated on each use against its ETag.
 */
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { createHash } from 'node:crypto';
import { SITE_HEADERS } from '../site-headers';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
};

/** Text formats shrink; PNG and the like are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.map', '.txt', '.yaml', '.ico']);

/** A script or stylesheet whose name ends in the build's content hash: its content never changes. */
const HASHED = /-[A-Z0-9]{8}\.(js|css)$/;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

type Encoding = 'br' | 'gzip' | 'identity';

/** A file as it is served: its ETag, and its bytes in each encoding that makes it smaller. */
interface Prepared {
  readonly etag: string;
  readonly bodies: Readonly<Partial<Record<Encoding, Buffer>>> & { readonly identity: Buffer };
}

export type StaticFiles = (req: IncomingMessage, pathname: string, res: ServerResponse) => Promise<void>;

/**
 * Serves the files under `webRoot`. Each file is read and compressed (brotli and gzip, off
 * the event loop) once, on its first request, and again only when its size or time changes.
 */
export function createStaticFiles(webRoot: string | undefined): StaticFiles {
  const folder = webRoot && resolve(webRoot);
  const prepared = new Map<string, { readonly version: string; readonly ready: Promise<Prepared> }>();
  const prepare = (file: string, version: string): Promise<Prepared> => {
    const known = prepared.get(file);
    if (known?.version === version) return known.ready;
    const entry = { version, ready: readAndCompress(file) };
    prepared.set(file, entry);
    entry.ready.catch(() => prepared.get(file) === entry && prepared.delete(file));
    return entry.ready;
  };

  return async (req, pathname, res) => {
    const plain = (status: number, text: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SITE_HEADERS, ...extra });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
    if (!folder) return plain(404, 'Not Found');
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return plain(400, 'Bad Request');
    }
    const file = join(folder, normalize(decoded === '/' ? '/index.html' : decoded));
    if (!file.startsWith(folder + sep)) return plain(404, 'Not Found');
    const found = await stat(file).catch(() => undefined);
    if (!found?.isFile()) return plain(404, 'Not Found');

    const { etag, bodies } = await prepare(file, `${found.size}:${found.mtimeMs}`);
    const encoding = chooseEncoding(req.headers['accept-encoding'], Object.keys(bodies) as Encoding[]);
    const tag = encoding === 'identity' ? `"${etag}"` : `"${etag}-${encoding}"`;
    const headers: Record<string, string | number> = {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': HASHED.test(file) ? IMMUTABLE : REVALIDATE,
      ETag: tag,
      ...SITE_HEADERS,
    };
    if (COMPRESSIBLE.has(extname(file))) headers.Vary = 'Accept-Encoding';
    if (ifNoneMatch(req.headers['if-none-match'], tag)) {
      res.writeHead(304, headers);
      return void res.end();
    }
    const body = bodies[encoding]!;
    if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

async function readAndCompress(file: string): Promise<Prepared> {
  const identity = await readFile(file);
  const etag = createHash('sha256').update(identity).digest('base64url').slice(0, 22);
  if (!COMPRESSIBLE.has(extname(file))) return { etag, bodies: { identity } };
  const [br, gz] = await Promise.all([
    promisify(brotliCompress)(identity, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length },
    }),
    promisify(gzip)(identity, { level: 9 }),
  ]);
  const bodies = {
    identity,
    ...(br.length < identity.length ? { br } : {}),
    ...(gz.length < identity.length ? { gzip: gz } : {}),
  };
  return { etag, bodies };
}

/**
 * The encoding to answer in, of those `available`, by the client's Accept-Encoding and its
 * q-values: the most wanted; on a tie, brotli before gzip before none. No header: none.
 */
export function chooseEncoding(accept: string | undefined, available: readonly Encoding[]): Encoding {
  if (!accept) return 'identity';
  const q = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!coding) continue;
    const weight = params.find((p) => p.startsWith('q='));
    q.set(coding, weight ? Number(weight.slice(2)) || 0 : 1);
  }
  const wanted = (coding: Encoding) => q.get(coding) ?? q.get('*') ?? (coding === 'identity' ? 0.001 : 0);
  let best: Encoding = 'identity';
  for (const coding of ['gzip', 'br'] as const) {
    if (available.includes(coding) && wanted(coding) > 0 && wanted(coding) >= wanted(best)) best = coding;
  }
  return best;
}

/** Whether If-None-Match names this ETag (or is `*`); weak validators match too. */
function ifNoneMatch(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const candidate = t.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === tag;
  });
}
