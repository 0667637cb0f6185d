// Builds what `npm start` runs: the local server (dist/local/start.js) and the page (dist/web/).
// npm packages stay external to the server bundle: they are installed beside it.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

export async function buildWeb(outdir = join(out, 'web')) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  for (const file of readdirSync(join(root, 'web'))) {
    if (/\.(html|css|svg|png|ico|txt)$/.test(file)) cpSync(join(root, 'web', file), join(outdir, file));
  }
  await build({
    entryPoints: [join(root, 'web/src/main.ts')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    platform: 'browser',
    target: ['es2022'],
    format: 'esm',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await Promise.all([buildLocalServer(), buildWeb()]);
}
