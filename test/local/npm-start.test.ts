/**
 * `npm start`'s server as a user meets it: a process that serves the page and the API,
 * listens on loopback only, reports a taken port or a missing Java clearly, keeps history
 * across restarts, and never leaves DynamoDB Local behind, even when it is killed outright.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#local/dynamodb-local';
import { descendants, isLoopback, listeningSockets } from '#test/support/listening-sockets';

const root = join(__dirname, '..', '..');
const entry = join(root, 'dist/local/start.js');

/**
 * The environment a user has: none of the test run's store settings. Shedding for a late event
 * loop is off: on a busy test machine it could answer these tests 503 (test/local/admission
 * tests the shedding itself).
 */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['DYNAMODB_ENDPOINT', 'CHAT_TABLE_NAME', 'CHAT_SESSION_KEY', 'CHAT_SEND_RATE', 'CHAT_SEND_BURST'])
    delete env[name];
  return { ...env, CHAT_SHED_LAG_MS: '0', ...extra };
}

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function startServer(env: Record<string, string>): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry], { env: userEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready at (http:\/\/localhost:\d+)/.exec(output);
      if (ready) resolve({ child, url: ready[1]!.replace('localhost', '127.0.0.1'), output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry], { env: userEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

async function chat(url: string, room: string, text: string): Promise<number> {
  const login = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"name":"keeper"}',
  });
  const { token } = (await login.json()) as { token: string };
  const sent = await fetch(`${url}/api/rooms/${room}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ text }),
  });
  return ((await sent.json()) as { id: number }).id;
}

describe('the local server process', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-local-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root });
  }, 60_000);

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('serves the page and the API, keeps history across a restart, and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const port = String(await freePort());
    const first = await startServer({ PORT: port, CHAT_DATA_DIR: dataDir });
    const page = await fetch(`${first.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await chat(first.url, 'kept', 'before restart')).toBe(1);
    const tree = descendants(first.child.pid!);
    expect(tree.length).toBeGreaterThan(0); // DynamoDB Local and its guard

    first.child.kill('SIGTERM');
    expect(await waitUntil(() => !alive(first.child.pid!) && tree.every((p) => !alive(p)), 10_000)).toBe(true);

    const second = await startServer({ PORT: port, CHAT_DATA_DIR: dataDir });
    try {
      expect(await chat(second.url, 'kept', 'after restart')).toBe(2);
    } finally {
      second.child.kill('SIGINT');
      await waitUntil(() => !alive(second.child.pid!), 10_000);
    }
  }, 90_000);

  it('listens on loopback only, its DynamoDB Local included', async () => {
    const started = await startServer({ PORT: String(await freePort()), CHAT_IN_MEMORY: '1' });
    try {
      const tree = [started.child.pid!, ...descendants(started.child.pid!)];
      const sockets = listeningSockets(tree);

      expect(new Set(sockets.map((s) => s.pid)).size).toBe(2); // the chat server and Java
      expect(sockets.filter((s) => !isLoopback(s.address))).toEqual([]);
    } finally {
      started.child.kill('SIGINT');
      await waitUntil(() => !alive(started.child.pid!), 10_000);
    }
  }, 60_000);

  it('leaves no DynamoDB Local behind when the server is killed with SIGKILL', async () => {
    const started = await startServer({ PORT: String(await freePort()), CHAT_IN_MEMORY: '1' });
    const tree = descendants(started.child.pid!);
    expect(tree.length).toBeGreaterThan(0);

    started.child.kill('SIGKILL');

    expect(await waitUntil(() => tree.every((p) => !alive(p)), 10_000)).toBe(true);
  }, 60_000);

  it('says the port is taken and exits with status 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const { code, output } = await runToExit({ PORT: String(port), CHAT_IN_MEMORY: '1' });
      expect(code).toBe(1);
      expect(output).toContain(`port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  }, 30_000);

  it('says Java is missing and exits with status 1', async () => {
    const bin = tempDir();
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const { code, output } = await runToExit({ PORT: String(await freePort()), CHAT_IN_MEMORY: '1', PATH: bin });
    expect(code).toBe(1);
    expect(output).toContain('DynamoDB Local needs Java 17');
  }, 30_000);
});
