// Builds what `npm start` runs: the local server (dist/local/start.js) and the page (dist/web/).
// npm packages stay external to the server bundle: they are installed beside it.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');

export async function buildLocalServer(outfile = join(out, 'local/start.js')) {
  await build({
    entryPoints: [join(root, 'bin/start.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  // The store's launcher is read beside the bundle (lib/local/dynamodb-local.ts).
  cpSync(join(root, 'lib/local/LoopbackDynamoDbLocal.java'), join(dirname(outfile), 'LoopbackDynamoDbLocal.java'));
}

/**
 * The page: index.html, the script and stylesheet under content-hashed names (app-<hash>.js,
 * styles-<hash>.css, so a browser may keep them for good: a change is a new name), and the
 * other files as they are.
 */
export async function buildWeb(outdir = join(out, 'web')) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const renamed = new Map();
  for (const file of readdirSync(join(root, 'web'))) {
    if (/\.(svg|png|ico|txt)$/.test(file)) cpSync(join(root, 'web', file), join(outdir, file));
    if (file.endsWith('.css')) {
      const css = readFileSync(join(root, 'web', file));
      const hashed = file.replace(/\.css$/, `-${contentHash(css)}.css`);
      writeFileSync(join(outdir, hashed), css);
      renamed.set(file, hashed);
    }
  }
  const { metafile } = await build({
    entryPoints: { app: join(root, 'web/src/main.ts') },
    outdir,
    entryNames: '[name]-[hash]',
    bundle: true,
    platform: 'browser',
    target: ['es2022'],
    format: 'esm',
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  const script = Object.keys(metafile.outputs).find((f) => f.endsWith('.js'));
  renamed.set('app.js', basename(script));
  for (const file of readdirSync(join(root, 'web')).filter((f) => f.endsWith('.html'))) {
    let html = readFileSync(join(root, 'web', file), 'utf8');
    for (const [from, to] of renamed) {
      const reference = new RegExp(`(src|href)="${from.replace('.', '\\.')}"`, 'g');
      if (file === 'index.html' && !reference.test(html)) throw new Error(`web/${file} does not reference ${from}`);
      html = html.replace(reference, `$1="${to}"`);
    }
    writeFileSync(join(outdir, file), html);
  }
}

/** Eight characters of the content's SHA-256, in the alphabet of esbuild's [hash]. */
function contentHash(content) {
  return createHash('sha256').update(content).digest('hex').slice(0, 8).toUpperCase();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await Promise.all([buildLocalServer(), buildWeb()]);
}
