/**
 * The code that would be deployed: the stack is synthesised once with real bundling (CDK's
 * NodejsFunction and the local esbuild, exactly as `cdk synth` does), and the bundled
 * index.js files are run in a plain Node.js process with Lambda's calling convention,
 * against the test run's DynamoDB Local. They must behave as the TypeScript sources that
 * the local server runs: tokens and messages pass from one to the other.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FunctionName } from '#http/routes';
import { PROJECT_ROOT } from '#stack/chat-function';
import { FUNCTION_NEEDS } from '#stack/chat-functions';
import { apiEvent, call, loadApp, login, uniqueRoom, type App, type CallOptions } from '#test/support/app';
import { resources, synthChat, type Synthesised } from './synth';

const FUNCTION_NAMES = Object.keys(FUNCTION_NEEDS) as FunctionName[];

/** Runs bundled handlers one after the other in a fresh Node.js process; returns their results and what they printed. */
const RUNNER = `
const calls = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  const results = [];
  for (const { file, event, context } of calls) results.push(await require(file).handler(event, context));
  process.stdout.write('\\nRESULTS ' + JSON.stringify(results) + '\\n');
})().catch((error) => { console.error(error); process.exit(1); });
`;

interface Invocation {
  readonly name: FunctionName;
  readonly method: string;
  readonly url: string;
  readonly options?: CallOptions;
}

interface Invoked {
  readonly results: { statusCode: number; headers: Record<string, string>; cookies?: string[]; body: string }[];
  /** Every other line the process printed (logs, metrics). */
  readonly output: string[];
}

let synth: Synthesised;
let bundleDir: Record<FunctionName, string>;
let sources: App;

beforeAll(() => {
  synth = synthChat({}, { bundle: true });
  const all = resources(synth.template);
  bundleDir = Object.fromEntries(
    FUNCTION_NAMES.map((name) => {
      const functionId = synth.stack.resolve(
        synth.stack.getLogicalId(synth.stack.functions.byName[name].function.node.defaultChild as never),
      ) as string;
      const zip = all[functionId]!.Properties.Code.S3Key as string;
      return [name, join(synth.outdir, `asset.${zip.replace(/\.zip$/, '')}`)];
    }),
  ) as Record<FunctionName, string>;
  sources = loadApp();
}, 120_000);
afterAll(() => synth?.cleanup());

function invokeBundled(invocations: Invocation[], env: Record<string, string> = {}): Invoked {
  const calls = invocations.map(({ name, method, url, options }, i) => ({
    file: join(bundleDir[name], 'index.js'),
    event: apiEvent(method, url, options),
    context: {
      functionName: `chat-${name}`,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:chat-${name}`,
      memoryLimitInMB: '256',
      awsRequestId: `request-${i}`,
      logGroupName: `/aws/lambda/chat-${name}`,
      logStreamName: 'stream',
    },
  }));
  const run = spawnSync(process.execPath, ['-e', RUNNER], {
    input: JSON.stringify(calls),
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT,
      CHAT_TABLE_NAME: process.env.CHAT_TABLE_NAME,
      CHAT_SESSION_KEY: process.env.CHAT_SESSION_KEY,
      CHAT_LOG_SILENT: '1',
      ...env,
    },
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`the bundled handlers failed: ${run.stderr}`);
  // Powertools writes warnings and errors to stderr, everything else to stdout.
  const lines = `${run.stdout}\n${run.stderr}`.split('\n');
  const resultLine = lines.find((l) => l.startsWith('RESULTS '))!;
  return {
    results: JSON.parse(resultLine.slice('RESULTS '.length)),
    output: lines.filter((l) => l.trim() && l !== resultLine),
  };
}

describe('the bundled functions', () => {
  it('are each one minified index.js with its source map, and nothing else to install', () => {
    for (const name of FUNCTION_NAMES) {
      expect({ name, files: readdirSync(bundleDir[name]).sort() }).toEqual({
        name,
        files: ['index.js', 'index.js.map'],
      });
      const size = statSync(join(bundleDir[name], 'index.js')).size;
      // Bundled SDK included; a megabyte would mean something large slipped in.
      expect({ name, underOneMegabyte: size < 1024 * 1024 }).toEqual({ name, underOneMegabyte: true });
    }
  });

  it('answer health and unknown routes as the contract says', () => {
    const { results } = invokeBundled([
      { name: 'health', method: 'GET', url: '/api/health' },
      { name: 'not-found', method: 'GET', url: '/api/nowhere' },
      { name: 'not-found', method: 'DELETE', url: '/api/login' },
    ]);
    expect(results[0]).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    expect(results[1]).toMatchObject({ statusCode: 404 });
    expect(JSON.parse(results[1]!.body)).toEqual({ error: { code: 'not_found', message: 'no such route' } });
    expect(results[2]).toMatchObject({ statusCode: 405, headers: { Allow: 'POST' } });
  });

  it('sign sessions that the local server’s handlers accept, and accept the sessions they sign', async () => {
    const { results } = invokeBundled([
      { name: 'login', method: 'POST', url: '/api/login', options: { body: { name: '小明' } } },
    ]);
    const bundledLogin = JSON.parse(results[0]!.body);
    expect(results[0]!.statusCode).toBe(200);
    expect(results[0]!.cookies?.[0]).toMatch(
      /^session=[^;]+; HttpOnly; SameSite=Strict; Path=\/api; Max-Age=86400; Secure$/,
    );
    const fromSources = await call(sources, 'GET', '/api/session', { token: bundledLogin.token });
    expect(fromSources.json).toEqual({ name: '小明', uid: bundledLogin.uid, expiresAt: bundledLogin.expiresAt });

    const sourceLogin = await login(sources, 'Ada');
    const { results: sessions } = invokeBundled([
      { name: 'get-session', method: 'GET', url: '/api/session', options: { token: sourceLogin.token } },
    ]);
    expect(JSON.parse(sessions[0]!.body)).toMatchObject({ name: 'Ada', uid: sourceLogin.uid });
  });

  it('store and read messages in the same log as the local server’s handlers', async () => {
    const room = uniqueRoom('bundled');
    const { token } = await login(sources, 'Grace');
    await call(sources, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: 'from the sources' } });

    const { results } = invokeBundled([
      {
        name: 'send-message',
        method: 'POST',
        url: `/api/rooms/${room}/messages`,
        options: { token, body: { text: 'from the bundle', clientId: 'c-1' } },
      },
      {
        name: 'send-message',
        method: 'POST',
        url: `/api/rooms/${room}/messages`,
        options: { token, body: { text: 'from the bundle', clientId: 'c-1' } },
      },
      { name: 'read-messages', method: 'GET', url: `/api/rooms/${room}/messages?after=0`, options: { token } },
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([201, 200, 200]);
    expect(JSON.parse(results[0]!.body)).toMatchObject({ id: 2, text: 'from the bundle', user: 'Grace' });
    expect(JSON.parse(results[2]!.body).messages.map((m: { text: string }) => m.text)).toEqual([
      'from the sources',
      'from the bundle',
    ]);

    const read = await call(sources, 'GET', `/api/rooms/${room}/messages?after=0`, { token });
    expect(read.json.messages.map((m: { id: number }) => m.id)).toEqual([1, 2]);
  });

  it('count each answer in the metrics the alarms read, when running in Lambda', async () => {
    const { token } = await login(sources);
    const room = uniqueRoom('metrics');
    const { results, output } = invokeBundled(
      [
        {
          name: 'send-message',
          method: 'POST',
          url: `/api/rooms/${room}/messages`,
          options: { token, body: { text: 'counted' } },
        },
        {
          name: 'send-message',
          method: 'POST',
          url: `/api/rooms/${room}/messages`,
          options: { body: { text: 'no session' } },
        },
      ],
      { AWS_LAMBDA_FUNCTION_NAME: 'chat-add', POWERTOOLS_SERVICE_NAME: 'Chat-test', CHAT_METRICS_NAMESPACE: 'Chat' },
    );
    expect(results.map((r) => r.statusCode)).toEqual([201, 401]);
    const emf = output.map((l) => JSON.parse(l)).filter((l) => l._aws);
    expect(emf.map((m) => m._aws.CloudWatchMetrics[0].Metrics.map((x: { Name: string }) => x.Name))).toEqual([
      ['MessagesSent'],
      ['ClientErrors'],
    ]);
    expect(emf[0]).toMatchObject({
      service: 'Chat-test',
      MessagesSent: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: 'Chat', Dimensions: [['service']] }] },
    });
  });

  it('answer 503 when the store is out of reach, logging a JSON line with the request id and counting a store throttle', async () => {
    const { token } = await login(sources);
    const { results, output } = invokeBundled(
      [{ name: 'read-messages', method: 'GET', url: `/api/rooms/${uniqueRoom()}/messages`, options: { token } }],
      // Nothing listens on the discard port: every attempt is refused at once.
      {
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
        AWS_LAMBDA_FUNCTION_NAME: 'chat-poll',
        POWERTOOLS_SERVICE_NAME: 'Chat-test',
        CHAT_LOG_SILENT: '0',
      },
    );
    expect(results[0]).toMatchObject({ statusCode: 503, headers: { 'Retry-After': '1' } });
    const lines = output.map((l) => JSON.parse(l));
    expect(lines.find((l) => l.message === 'store unavailable')).toMatchObject({
      level: 'WARN',
      service: 'Chat-test',
      function_name: 'chat-read-messages',
      function_request_id: 'request-0',
      cold_start: expect.any(Boolean),
      handler: 'read-messages',
    });
    expect(lines.find((l) => l._aws)).toMatchObject({ ServerErrors: 1, StoreThrottles: 1 });
  });

  it('map back to the handler files the local server imports', () => {
    for (const name of FUNCTION_NAMES) {
      const map = JSON.parse(readFileSync(join(bundleDir[name], 'index.js.map'), 'utf8')) as { sources: string[] };
      const own = map.sources
        .map((source) => resolve(bundleDir[name], source))
        .filter((file) => !file.includes('node_modules'));
      expect(own).toEqual(
        expect.arrayContaining([
          join(PROJECT_ROOT, 'functions', `${name}.ts`),
          join(PROJECT_ROOT, 'lib', 'http', 'handler.ts'),
        ]),
      );
    }
  });
});
