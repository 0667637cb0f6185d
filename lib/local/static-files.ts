/** The page's files, served as CloudFront serves them from the bucket. */
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
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

/** The page's files, as CloudFront serves them from the bucket: `/` is index.html. */
export function serveStatic(
  webRoot: string | undefined,
  req: IncomingMessage,
  pathname: string,
  res: ServerResponse,
): void {
  const plain = (status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SITE_HEADERS, ...extra });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
  if (!webRoot) return plain(404, 'Not Found');
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return plain(400, 'Bad Request');
  }
  const folder = resolve(webRoot);
  const file = join(folder, normalize(decoded === '/' ? '/index.html' : decoded));
  if (!file.startsWith(folder + sep)) return plain(404, 'Not Found');
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return plain(404, 'Not Found');
    size = stat.size;
  } catch {
    return plain(404, 'Not Found');
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': extname(file) === '.html' ? 'no-cache' : 'public, max-age=300',
    ...SITE_HEADERS,
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}
