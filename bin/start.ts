/**
 * `npm start`: the whole chat on one machine. Binds the port, starts DynamoDB Local (unless
 * DYNAMODB_ENDPOINT names another store), creates the table if missing, then serves the page
 * and the API through the same handlers that run in Lambda. Ctrl-C or SIGTERM stops it all.
 *
 * It builds the chat's configuration itself, from the environment and what it started, and
 * hands it to the services: nothing depends on the order in which modules are imported.
 */
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig, requireStore } from '#lib/config';
import { createServices, type ChatServices } from '#lib/services';
import { log } from '#aws/log';
import { takeLiveFigures } from '#aws/metrics';
import { Admission } from '#local/admission';
import { limitStoreCalls } from '#local/store-admission';
import { createStoreClient, localStoreSettings } from '#aws/dynamo';
import { createHandlers } from '#http/handlers';
import { awaitTransactionCommits } from '#local/commit-barrier';
import { JavaMissingError, startDynamoDbLocal, type RunningDynamoDbLocal } from '#local/dynamodb-local';
import { localSessionKey } from '#local/local-session-key';
import { answerStarting, createHttpServer, createRequestListener, listen, type RequestListener } from '#local/server';
import { ensureTable } from '#local/table-setup';
// A testing aid, off unless CHAT_FAULTS is set: the handlers then reach the store through a fault-injecting proxy.
import { startStoreFaultsFromEnv } from '../test/tools/store-faults';

const env = process.env;
// The local server runs on the Node.js of the developer's machine; Lambda runs Node.js 22+.
env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function fail(message: string): never {
  console.error(`\nchat: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT must be a port number, got "${env.PORT}"`);
  const host = env.HOST || '127.0.0.1';
  const inMemory = env.CHAT_IN_MEMORY === '1';
  const dataDir = inMemory ? undefined : resolve(env.CHAT_DATA_DIR || '.data');

  // The port first: a taken port is reported before anything else is started.
  let app: RequestListener | undefined;
  const server = createHttpServer((req, res) => (app ?? answerStarting)(req, res));
  try {
    await listen(server, port, host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      fail(`port ${port} is already in use. Stop what uses it, or choose another: PORT=3001 npm start`);
    if (code === 'EACCES') fail(`port ${port} needs privileges this user lacks. Choose another: PORT=3001 npm start`);
    throw error;
  }

  let store: RunningDynamoDbLocal | undefined;
  let services: ChatServices | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nchat: ${signal}: stopping`);
    server.close();
    // Held polls are answered at once (the empty page), then their connections may close.
    services?.close();
    await new Promise((resolveDrain) => setTimeout(resolveDrain, 100));
    server.closeAllConnections();
    await store?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));

  let endpoint = env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    try {
      store = await startDynamoDbLocal({ dataDir: dataDir && resolve(dataDir, 'dynamodb') });
    } catch (error) {
      if (error instanceof JavaMissingError) fail(error.message);
      throw error;
    }
    endpoint = store.endpoint;
    void store.exited.then((code) => {
      if (!stopping) fail(`DynamoDB Local stopped unexpectedly (exit ${code}); the chat cannot go on without it.`);
    });
  }

  const region = env.AWS_REGION || 'local';
  const tableName = env.CHAT_TABLE_NAME || 'chat';
  const admin = new DynamoDBClient(localStoreSettings(endpoint, region));
  await ensureTable(admin, tableName);
  admin.destroy();

  const config = loadConfig({
    ...env,
    CHAT_TABLE_NAME: tableName,
    AWS_REGION: region,
    CHAT_SESSION_KEY: env.CHAT_SESSION_KEY || localSessionKey(dataDir),
    DYNAMODB_ENDPOINT: (await startStoreFaultsFromEnv(endpoint, env)) ?? endpoint,
    // The store it started itself has no other writer, so it knows every room's head exactly
    // (caught-up polls cost no store read). Another store may have other writers: nothing is assumed.
    CHAT_SOLE_WRITER: env.CHAT_SOLE_WRITER || (store ? '1' : '0'),
  });
  const storeClient = createStoreClient(requireStore(config));
  // Only data on disk can outlive a crash, so only then must a transaction's commit be awaited.
  if (store && dataDir) awaitTransactionCommits(storeClient, tableName);
  limitStoreCalls(storeClient);
  services = createServices(config, { store: storeClient });
  const shedLagMs = Number(env.CHAT_SHED_LAG_MS ?? 150);
  if (!Number.isInteger(shedLagMs) || shedLagMs < 0)
    fail(`CHAT_SHED_LAG_MS must be a whole number, got "${env.CHAT_SHED_LAG_MS}"`);
  const admission = new Admission({ holding: services.longPoll.holding, maxLagMs: shedLagMs });
  app = createRequestListener({
    handlers: createHandlers(services),
    webRoot: resolve(__dirname, '..', 'web'),
    admission,
  });
  logLiveFigures();

  const where = inMemory ? 'in memory (nothing is kept)' : `in ${dataDir}`;
  const storeNote = store ? `DynamoDB Local on port ${store.port}, data ${where}` : `DynamoDB at ${endpoint}`;
  const mode = config.wait.soleWriter
    ? 'sole writer'
    : `shared store, held polls re-check every ${config.wait.checkMs} ms`;
  console.log(`chat: ready at http://localhost:${port}  (${storeNote}; ${mode}; Ctrl-C stops)`);
}

/** Once a minute, when anything happened: held polls, how fast appends woke them, requests shed. */
function logLiveFigures(): void {
  setInterval(() => {
    const { heldPolls, wakeDelaysMs, shed } = takeLiveFigures();
    if (heldPolls === 0 && shed === 0) return;
    const sorted = wakeDelaysMs.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    log.info('live delivery', { heldPolls, wakeDelayMsP50: at(0.5), wakeDelayMsP99: at(0.99), shed });
  }, 60_000).unref();
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
