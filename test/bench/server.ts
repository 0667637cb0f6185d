/**
 * The server under test: `npm start`'s build, started by the benchmark on a free port with
 * an in-memory DynamoDB Local, and the CPU and memory of the server, of DynamoDB Local and
 * of the generator (this process) between two moments.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cpuSeconds,
  residentMiB,
  ROOT,
  spawnLocalServer,
  type LocalServerProcess,
} from '#test/faults/local-server-process';

/**
 * The server the scenarios start: `npm start`'s build, or another build of it named by
 * BENCH_SERVER_SCRIPT (e.g. one with other shedding constants, to compare).
 */
export const SERVER_SCRIPT = process.env.BENCH_SERVER_SCRIPT || join(ROOT, 'dist', 'local', 'start.js');

/** `npm start`'s build step: the local server bundle and the page. */
export function buildServer(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

export interface BenchServerOptions {
  readonly env?: Record<string, string>;
  readonly nodeArgs?: readonly string[];
}

let runEnv: Record<string, string> = {};

/** Settings every server of this run gets (e.g. `--shared-store`: CHAT_SOLE_WRITER=0); a scenario's own win. */
// The load comes from one address (loopback), so the per-address login limit is off for the
// benchmarks, in the servers they start and in the scenarios that run the handlers in-process.
process.env.CHAT_LOGIN_RATE ??= '0';

export function setRunEnv(env: Record<string, string>): void {
  runEnv = env;
}

export async function startServer(options: BenchServerOptions = {}): Promise<LocalServerProcess> {
  return spawnLocalServer({
    script: SERVER_SCRIPT,
    env: { CHAT_IN_MEMORY: '1', CHAT_LOG_SILENT: '1', CHAT_LOGIN_RATE: '0', ...runEnv, ...options.env },
    nodeArgs: options.nodeArgs,
  });
}

interface Mark {
  readonly at: number;
  readonly server: number;
  readonly store: number;
  readonly generator: number;
  readonly machine: MachineTime;
  readonly tcp: TcpCounters;
}

/** Machine-wide TCP counters (every process's connections, loopback included). */
export interface TcpCounters {
  /** Connections dropped because a listening socket's accept queue was full. */
  readonly listenOverflows: number;
  /** SYNs sent again (a connection attempt that got no answer in time). */
  readonly synRetransmits: number;
}

export function tcpCounters(): TcpCounters {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = lines[at]!.split(/\s+/);
    const values = lines[at + 1]!.split(/\s+/).map(Number);
    const get = (name: string) => values[names.indexOf(name)] ?? NaN;
    return { listenOverflows: get('ListenOverflows'), synRetransmits: get('TCPSynRetrans') };
  } catch {
    return { listenOverflows: NaN, synRetransmits: NaN };
  }
}

interface MachineTime {
  /** Busy CPU time of the whole machine (every process), seconds. */
  readonly busy: number;
  /** Time the hypervisor gave this machine's CPUs to someone else while they had work, seconds. */
  readonly steal: number;
}

export interface Usage {
  /**
   * CPU used over the interval, in cores (1.0 = one core busy all the time). `others`: every
   * other process on the machine (someone else's tests, the kernel), which the figures share
   * the cores with.
   */
  readonly cpu: {
    readonly server: number;
    readonly store: number;
    readonly generator: number;
    readonly others: number;
    /** CPU time the hypervisor gave to other machines while this one wanted it, in cores. */
    readonly steal: number;
  };
  /** Resident memory at the end, MiB. */
  readonly rss: { readonly server: number; readonly store: number };
  /** TCP trouble over the interval, machine-wide: connection attempts dropped by a full accept queue, SYNs resent. */
  readonly tcp: TcpCounters;
}

/** CPU counters now, to compare with later. */
export function mark(server: LocalServerProcess): Mark {
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    server: cpuSeconds(server.pid) ?? NaN,
    store: server.storePid === undefined ? NaN : (cpuSeconds(server.storePid) ?? NaN),
    generator: (own.user + own.system) / 1e6,
    machine: machineTime(),
    tcp: tcpCounters(),
  };
}

/** user + nice + system + irq + softirq of all cores, and steal, from /proc/stat (NaN where unreadable). */
function machineTime(): MachineTime {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return { busy: (user + nice + system + irq + softirq) / 100, steal: steal / 100 };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}

export function usageSince(server: LocalServerProcess, start: Mark): Usage {
  const end = mark(server);
  const seconds = (end.at - start.at) / 1000;
  const cores = (a: number, b: number) => Number(((b - a) / seconds).toFixed(2));
  const busy = (m: MachineTime) => m.busy / seconds;
  const known = (n: number) => (Number.isFinite(n) ? n : 0);
  const ours = (m: Mark) => (known(m.server) + known(m.store) + known(m.generator)) / seconds;
  return {
    cpu: {
      server: cores(start.server, end.server),
      store: cores(start.store, end.store),
      generator: cores(start.generator, end.generator),
      others: Math.max(0, Number((busy(end.machine) - busy(start.machine) - ours(end) + ours(start)).toFixed(2))),
      steal: Number(((end.machine.steal - start.machine.steal) / seconds).toFixed(2)),
    },
    tcp: {
      listenOverflows: end.tcp.listenOverflows - start.tcp.listenOverflows,
      synRetransmits: end.tcp.synRetransmits - start.tcp.synRetransmits,
    },
    rss: {
      server: Math.round(residentMiB(server.pid) ?? NaN),
      store: server.storePid === undefined ? NaN : Math.round(residentMiB(server.storePid) ?? NaN),
    },
  };
}

export const cpuText = (u: Usage): string =>
  `server ${u.cpu.server} / store ${u.cpu.store} / generator ${u.cpu.generator} (other processes ${u.cpu.others}, steal ${u.cpu.steal})` +
  (u.tcp.listenOverflows || u.tcp.synRetransmits
    ? `; TCP: ${u.tcp.listenOverflows} connection attempts dropped by a full accept queue, ${u.tcp.synRetransmits} SYNs resent`
    : '');

/** `0.82 / 0.10 / 0.61 / 0.20`: server / store / generator / others, for table cells. */
export const cpuCell = (u: Usage): string => `${u.cpu.server} / ${u.cpu.store} / ${u.cpu.generator} / ${u.cpu.others}`;
