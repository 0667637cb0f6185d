/**
 * Scenario 5, cold start: each handler bundled as the stack bundles it for Lambda (options
 * read from lib/stack when it is there), its size, and the time to load it (module
 * initialisation: `require` in a fresh Node process with source maps on, as the functions
 * run), next to a bare handler that only imports the DynamoDB client and queries.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { ROOT } from '#test/faults/local-server-process';
import type { BenchContext, ScenarioResult } from '../scenario';
import { ms, round, table } from '../stats';

const HANDLERS = ['login', 'send-message', 'read-messages', 'get-session', 'health', 'not-found'];
const BARE = 'bare (DynamoDB client + query)';

/** The stack's bundling options, translated to esbuild's; the documented defaults if the stack is not there. */
async function bundling(): Promise<{ options: BuildOptions; from: string }> {
  const fallback: BuildOptions = { minify: true, sourcemap: true, target: 'node22', format: 'cjs' };
  try {
    const { BUNDLING } = (await import('#stack/chat-function')) as {
      BUNDLING: {
        minify?: boolean;
        sourceMap?: boolean;
        sourcesContent?: boolean;
        target?: string;
        format?: string;
        mainFields?: string[];
        externalModules?: string[];
      };
    };
    return {
      options: {
        minify: BUNDLING.minify ?? false,
        sourcemap: BUNDLING.sourceMap ?? false,
        sourcesContent: BUNDLING.sourcesContent ?? true,
        target: BUNDLING.target ?? fallback.target,
        format: BUNDLING.format === 'esm' ? 'esm' : 'cjs',
        ...(BUNDLING.mainFields ? { mainFields: BUNDLING.mainFields } : {}),
        external: BUNDLING.externalModules ?? [],
      },
      from: 'lib/stack/chat-function.ts',
    };
  } catch {
    return { options: fallback, from: 'defaults (no lib/stack)' };
  }
}

/** Milliseconds to `require` the bundle in a fresh process. */
function initMs(file: string): number {
  const script =
    "const { performance } = require('node:perf_hooks'); const t0 = performance.now(); " +
    `require(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t0));`;
  const out = execFileSync(process.execPath, ['--enable-source-maps', '-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      CHAT_TABLE_NAME: 'bench',
      // Never read: the key is fetched at the first request, and none is made here.
      CHAT_SESSION_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  return Number(out);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function coldStart(ctx: BenchContext): Promise<ScenarioResult> {
  const runs = ctx.quick ? 3 : 9;
  const outdir = join(ctx.resultsDir, 'cold-start');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const { options, from } = await bundling();
  ctx.log(`cold start: bundling ${HANDLERS.length} handlers and the bare one (options from ${from})`);

  const entries = [
    ...HANDLERS.map((name) => ({ name, entry: join(ROOT, 'functions', `${name}.ts`) })),
    { name: BARE, entry: join(__dirname, '..', 'bare-handler.ts') },
  ];
  const bundles = await Promise.all(
    entries.map(async ({ name, entry }, i) => {
      const outfile = join(outdir, `${i}-${name.split(' ')[0]}.js`);
      await build({ ...options, entryPoints: [entry], outfile, bundle: true, platform: 'node', logLevel: 'warning' });
      return { name, outfile, bytes: statSync(outfile).size, times: [] as number[] };
    }),
  );

  // Round-robin, so that a busy moment on the machine spreads over all handlers alike.
  ctx.log(`cold start: ${runs} fresh processes per bundle`);
  for (let r = 0; r < runs; r++) for (const b of bundles) b.times.push(initMs(b.outfile));

  const bare = bundles.find((b) => b.name === BARE)!;
  const bareMs = median(bare.times);
  const rows = bundles.map((b) => {
    const m = median(b.times);
    return [
      b.name,
      round(b.bytes / 1024),
      ms(m),
      `${ms(Math.min(...b.times))} – ${ms(Math.max(...b.times))}`,
      `${(m / bareMs).toFixed(2)}×`,
    ];
  });
  const text = [
    table(['handler', 'bundle KiB', 'init ms (median)', 'range', 'vs bare'], rows),
    '',
    `bundled with esbuild as the stack does (${from}: ${JSON.stringify(options)}); init = require() in a fresh node --enable-source-maps, ${runs} runs each, Node ${process.version} here (Lambda runs Node 22+)`,
  ].join('\n');
  return {
    title: '5. Cold start (bundle size and module initialisation)',
    text,
    data: {
      options,
      from,
      runs,
      bundles: bundles.map((b) => ({
        name: b.name,
        bytes: b.bytes,
        initMs: b.times,
        medianMs: median(b.times),
        ratioToBare: median(b.times) / bareMs,
      })),
    },
  };
}
