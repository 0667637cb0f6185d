/**
 * The server under test: `npm start`'s build, started by the benchmark on a free port with
 * an in-memory DynamoDB Local, and the CPU and memory of the server, of DynamoDB Local and
 * of the generator (this process) between two moments.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  cpuSeconds,
  residentMiB,
  ROOT,
  spawnLocalServer,
  type LocalServerProcess,
} from '#test/faults/local-server-process';

export const SERVER_SCRIPT = join(ROOT, 'dist', 'local', 'start.js');

/** `npm start`'s build step: the local server bundle and the page. */
export function buildServer(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

export interface BenchServerOptions {
  readonly env?: Record<string, string>;
  readonly nodeArgs?: readonly string[];
}

export async function startServer(options: BenchServerOptions = {}): Promise<LocalServerProcess> {
  return spawnLocalServer({
    script: SERVER_SCRIPT,
    env: { CHAT_IN_MEMORY: '1', CHAT_LOG_SILENT: '1', ...options.env },
    nodeArgs: options.nodeArgs,
  });
}

interface Mark {
  readonly at: number;
  readonly server: number;
  readonly store: number;
  readonly generator: number;
}

export interface Usage {
  /** CPU used over the interval, in cores (1.0 = one core busy all the time). */
  readonly cpu: { readonly server: number; readonly store: number; readonly generator: number };
  /** Resident memory at the end, MiB. */
  readonly rss: { readonly server: number; readonly store: number };
}

/** CPU counters now, to compare with later. */
export function mark(server: LocalServerProcess): Mark {
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    server: cpuSeconds(server.pid) ?? NaN,
    store: server.storePid === undefined ? NaN : (cpuSeconds(server.storePid) ?? NaN),
    generator: (own.user + own.system) / 1e6,
  };
}

export function usageSince(server: LocalServerProcess, start: Mark): Usage {
  const end = mark(server);
  const seconds = (end.at - start.at) / 1000;
  const cores = (a: number, b: number) => Number(((b - a) / seconds).toFixed(2));
  return {
    cpu: {
      server: cores(start.server, end.server),
      store: cores(start.store, end.store),
      generator: cores(start.generator, end.generator),
    },
    rss: {
      server: Math.round(residentMiB(server.pid) ?? NaN),
      store: server.storePid === undefined ? NaN : Math.round(residentMiB(server.storePid) ?? NaN),
    },
  };
}

export const cpuText = (u: Usage): string =>
  `server ${u.cpu.server} / store ${u.cpu.store} / generator ${u.cpu.generator}`;
