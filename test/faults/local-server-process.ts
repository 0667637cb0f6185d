/**
 * The local server (`npm start`) as a separate process, for the crash tests and the benchmark:
 * build it, start it on a free port, find its DynamoDB Local, read their CPU and memory from
 * /proc, stop it politely or kill both with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '#local/dynamodb-local';
import { runBuilder } from '#test/support/build';

export const ROOT = join(__dirname, '..', '..');

/** Bundles bin/start.ts with scripts/build.mjs's own builder, to a file of the caller's choosing. */
export function buildLocalServer(outfile: string): Promise<void> {
  return runBuilder('buildLocalServer', outfile);
}

export interface LocalServerProcess {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly pid: number;
  /** The java process of DynamoDB Local (undefined when the server uses DYNAMODB_ENDPOINT). */
  readonly storePid: number | undefined;
  /** DynamoDB Local itself, bypassing the server (and the fault proxy). */
  readonly storeEndpoint: string | undefined;
  /** The fault control URL, when started with CHAT_FAULTS. */
  readonly faultsUrl: string | undefined;
  /** The fault proxy in front of the store (when started with CHAT_FAULTS): other servers may share it. */
  readonly proxyEndpoint: string | undefined;
  readonly exited: Promise<number | null>;
  output(): string;
  /** SIGKILL to DynamoDB Local and the server at the same moment; resolves when both are gone. */
  kill9(): Promise<void>;
  /** SIGTERM, as Ctrl-C; resolves when the server has exited. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** The built server (see buildLocalServer). */
  readonly script: string;
  /** Added to a clean environment (the test run's store settings are removed). */
  readonly env?: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
}

/** Environment variables that would point the server at someone else's store or key. */
const INHERITED_STORE_SETTINGS = [
  'DYNAMODB_ENDPOINT',
  'CHAT_TABLE_NAME',
  'CHAT_SESSION_KEY',
  'CHAT_FAULTS',
  'CHAT_FAULTS_PORT',
  'PORT',
];

export async function spawnLocalServer(options: SpawnOptions): Promise<LocalServerProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_STORE_SETTINGS) delete env[name];
  Object.assign(env, { PORT: String(port), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, options.env);

  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let gone = false;
  void exited.then(() => (gone = true));
  while (!/chat: ready at /.test(output)) {
    if (gone) throw new Error(`the local server exited while starting:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the local server did not get ready in time:\n${output}`);
    }
    await sleep(50);
  }
  const pid = child.pid!;
  const storePort = /DynamoDB Local on port (\d+)/.exec(output)?.[1];
  const faultsUrl = /change with: curl -X PUT --data off (\S+)/.exec(output)?.[1];
  const proxyEndpoint = /store faults ON \(.*?\) through (\S+);/.exec(output)?.[1];
  const storePid = descendants(pid).find((p) => processName(p) === 'java');

  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    storePid,
    storeEndpoint: storePort ? `http://127.0.0.1:${storePort}` : undefined,
    faultsUrl,
    proxyEndpoint,
    exited,
    output: () => output,
    async kill9() {
      const javaGone = storePid === undefined ? Promise.resolve() : waitForExit(storePid);
      if (storePid !== undefined) signal(storePid, 'SIGKILL');
      signal(pid, 'SIGKILL');
      await Promise.all([exited, javaGone]);
    },
    async stop() {
      signal(pid, 'SIGTERM');
      await exited;
      if (storePid !== undefined) await waitForExit(storePid);
    },
  };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function waitForExit(pid: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} did not exit`);
    await sleep(20);
  }
}

function isAlive(pid: number): boolean {
  try {
    // A zombie still answers kill(0); its state in /proc tells.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fields of /proc/<pid>/stat after the command name (which may itself contain spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Every process below `pid`, children first. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(statFields(Number(entry))?.[1]);
    if (Number.isInteger(ppid)) parentOf.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in seconds; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  // After the name: state(0) ppid(1) ... utime(11) stime(12).
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident memory of a process in MiB. */
export function residentMiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
