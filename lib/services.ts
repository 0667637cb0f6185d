/**
 * The services a process runs with, built once from its configuration: the store client, the
 * message log, the send allowance and the session key. The local server and the tests build
 * one (or several, as several Lambda instances would be); a Lambda entry point builds one at
 * its cold start. Nothing here reads the environment.
 */
import { requireSessionKey, requireStore, type ChatConfig } from '#lib/config';
import { createStoreClient, type StoreClient } from '#aws/dynamo';
import { sessionKeySource, type SessionKeySource } from '#aws/session-key';
import { createMessageLog, createMessageReader, type MessageLog, type MessageReader } from '#chat/message-log';
import { createSendAllowance, type SendAllowance } from '#chat/send-limit';

export interface ChatServices {
  readonly config: ChatConfig;
  readonly store: StoreClient;
  readonly messageLog: MessageLog;
  readonly sendAllowance: SendAllowance;
  readonly sessionKey: SessionKeySource;
}

/** What reading needs: the read function builds only these, so its bundle holds no write. */
export interface ReadServices {
  readonly config: ChatConfig;
  readonly messageLog: MessageReader;
  readonly sessionKey: SessionKeySource;
}

/** What a caller may give instead of what the configuration would build. */
export interface ServiceOverrides {
  /** A store client of the caller's (the local server adds its commit barrier to its own). */
  readonly store?: StoreClient;
  readonly sessionKey?: SessionKeySource;
}

export function createServices(config: ChatConfig, overrides: ServiceOverrides = {}): ChatServices {
  const { tableName, ...where } = requireStore(config);
  const store = overrides.store ?? createStoreClient(where);
  return {
    config,
    store,
    messageLog: createMessageLog({ store, tableName }),
    sendAllowance: createSendAllowance({ store, tableName, limit: config.sendLimit }),
    sessionKey: overrides.sessionKey ?? sessionKeySource(requireSessionKey(config)),
  };
}

export function createReadServices(config: ChatConfig): ReadServices {
  const { tableName, ...where } = requireStore(config);
  return {
    config,
    messageLog: createMessageReader({ store: createStoreClient(where), tableName }),
    sessionKey: sessionKeySource(requireSessionKey(config)),
  };
}
