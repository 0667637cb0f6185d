/**
 * The services a process runs with, built once from its configuration: the store client, the
 * message log, long-polling, the room's presence, the send and presence allowances and the
 * session key. The local server and the
 * tests build one (or several, as several Lambda instances would be); a Lambda entry point
 * builds one at its cold start. Nothing here reads the environment.
 */
import { requireSessionKey, requireStore, type ChatConfig } from '#lib/config';
import { createStoreClient, type StoreClient } from '#aws/dynamo';
import { loginRateKey } from '#aws/table';
import { countHeldPoll } from '#aws/metrics';
import { sessionKeySource, type SessionKeySource } from '#aws/session-key';
import { createLongPoll, type LongPoll } from '#chat/long-poll';
import { createMessageLog, createMessageReader, type MessageLog, type MessageReader } from '#chat/message-log';
import { MemoryPresence, type Presence, StoredPresence } from '#chat/presence';
import { createDeviceLinkMaker, createDeviceLinks, type DeviceLinks } from '#chat/device-links';
import { createDeviceLinkRedeemer } from '#chat/redeem-device-link';
import { createRevocations, type Revocations } from '#chat/revocations';
import { createSessionRevoker, type RevokeSession } from '#chat/revoke-session';
import { RoomSignals } from '#chat/room-signals';
import { createMemorySendAllowance, createSendAllowance, type SendAllowance } from '#chat/send-limit';

/** What reading needs: the read function builds only these, so its bundle holds no write. */
export interface ReadServices {
  readonly config: ChatConfig;
  readonly messageLog: MessageReader;
  readonly longPoll: LongPoll;
  readonly sessionKey: SessionKeySource;
  /** Logged-out sessions (known in memory, refreshed from the store at most every 30 s). */
  readonly revocations: Revocations;
}

export interface ChatServices extends ReadServices {
  readonly store: StoreClient;
  readonly messageLog: MessageLog;
  readonly sendAllowance: SendAllowance;
  readonly presence: Presence;
  /** Kept in memory by each process, so that a presence call stays one store write (its own). */
  readonly presenceAllowance: SendAllowance;
  /** Logins per client address: in memory as the sole writer, else in the store. */
  readonly loginAllowance: SendAllowance;
  /** One-time codes that log another device in as the same person. */
  readonly deviceLinks: DeviceLinks;
  /** Logs a session out (the logout handler's). */
  readonly revokeSession: RevokeSession;
  /** Answers every held poll at once, and every later one without holding (the process is stopping). */
  readonly close: () => void;
}

/** What a caller may give instead of what the configuration would build. */
export interface ServiceOverrides {
  /** A store client of the caller's (the local server adds its commit barrier to its own). */
  readonly store?: StoreClient;
  readonly sessionKey?: SessionKeySource;
  /** The clock of presence and of the room state (tests give their own). */
  readonly now?: () => number;
}

export function createServices(config: ChatConfig, overrides: ServiceOverrides = {}): ChatServices {
  const { tableName, ...where } = requireStore(config);
  const store = overrides.store ?? createStoreClient(where);
  const signals = new RoomSignals();
  const { soleWriter } = config.wait;
  const now = overrides.now ?? Date.now;
  // As the sole writer, presence lives in memory and polls take the room from there; elsewhere
  // it lives in the room's state item, which the polls' query reads with the messages.
  const memory = soleWriter ? new MemoryPresence(signals, now) : undefined;
  const revocations = createRevocations({ store, tableName, now });
  const log = createMessageLog({ store, tableName, soleWriter, signals, now });
  const messageLog: MessageLog = memory
    ? {
        appendMessage: log.appendMessage,
        changeMessage: log.changeMessage,
        readMessages: async (room, request) => {
          const page = await log.readMessages(room, request);
          return request.kind === 'before' ? page : { ...page, room: memory.view(room) };
        },
      }
    : log;
  return {
    config,
    store,
    messageLog,
    longPoll: longPolling(config, messageLog, signals),
    sendAllowance: soleWriter
      ? createMemorySendAllowance(config.sendLimit)
      : createSendAllowance({ store, tableName, limit: config.sendLimit }),
    loginAllowance: loginAllowance(config, store, tableName, now),
    deviceLinks: createDeviceLinks({ store, tableName, now }),
    presence: memory ?? new StoredPresence({ store, tableName, now }),
    presenceAllowance: createMemorySendAllowance(config.presenceLimit, now),
    sessionKey: overrides.sessionKey ?? sessionKeySource(requireSessionKey(config)),
    revocations,
    revokeSession: createSessionRevoker({ store, tableName, revocations, now }),
    close: () => {
      memory?.close();
      signals.close();
    },
  };
}

/** The read function's: a reader that only queries, and held polls that re-check the store. */
export function createReadServices(config: ChatConfig): ReadServices {
  const { tableName, ...where } = requireStore(config);
  const store = createStoreClient(where);
  const messageLog = createMessageReader({ store, tableName });
  return {
    config,
    messageLog,
    longPoll: longPolling({ ...config, wait: { ...config.wait, soleWriter: false } }, messageLog, new RoomSignals()),
    sessionKey: sessionKeySource(requireSessionKey(config)),
    revocations: createRevocations({ store, tableName }),
  };
}

/** The login function's: the key that signs, and the login allowance in the store. */
export function createLoginServices(
  config: ChatConfig,
): Pick<ChatServices, 'sessionKey' | 'loginAllowance' | 'config'> & { deviceLinks: Pick<DeviceLinks, 'redeem'> } {
  const { tableName, ...where } = requireStore(config);
  const store = createStoreClient(where);
  return {
    config,
    sessionKey: sessionKeySource(requireSessionKey(config)),
    loginAllowance: loginAllowance(config, store, tableName),
    deviceLinks: { redeem: createDeviceLinkRedeemer({ store, tableName }) },
  };
}

/** The device-link function's: checking the session, and writing a code. */
export function createDeviceLinkServices(
  config: ChatConfig,
): Pick<ChatServices, 'sessionKey' | 'revocations'> & { deviceLinks: Pick<DeviceLinks, 'create'> } {
  const { tableName, ...where } = requireStore(config);
  const store = createStoreClient(where);
  return {
    ...createSessionServices(config, store),
    deviceLinks: { create: createDeviceLinkMaker({ store, tableName }) },
  };
}

/**
 * The send function's: the message log, the send allowance in the store, the sender's presence
 * and the session check; nothing of the other routes (each function may do only its own writes).
 */
export function createSendServices(
  config: ChatConfig,
): Pick<ChatServices, 'messageLog' | 'sendAllowance' | 'presence' | 'sessionKey' | 'revocations'> {
  const { tableName, ...where } = requireStore(config);
  const store = createStoreClient(where);
  return {
    messageLog: createMessageLog({ store, tableName, soleWriter: false, signals: new RoomSignals() }),
    sendAllowance: createSendAllowance({ store, tableName, limit: config.sendLimit }),
    presence: new StoredPresence({ store, tableName }),
    ...createSessionServices(config, store),
  };
}

/** The change function's: the message log (a change is a transaction through it), the send allowance and the session check. */
export function createChangeServices(
  config: ChatConfig,
): Pick<ChatServices, 'messageLog' | 'sendAllowance' | 'sessionKey' | 'revocations'> {
  const { tableName, ...where } = requireStore(config);
  const store = createStoreClient(where);
  return {
    messageLog: createMessageLog({ store, tableName, soleWriter: false, signals: new RoomSignals() }),
    sendAllowance: createSendAllowance({ store, tableName, limit: config.sendLimit }),
    ...createSessionServices(config, store),
  };
}

function loginAllowance(config: ChatConfig, store: StoreClient, tableName: string, now?: () => number): SendAllowance {
  return config.wait.soleWriter
    ? createMemorySendAllowance(config.loginLimit, now)
    : createSendAllowance({ store, tableName, limit: config.loginLimit, keyOf: loginRateKey, clock: now });
}

/** The logout function's: checking the session, and the one write of a logout. */
export function createLogoutServices(
  config: ChatConfig,
): Pick<ChatServices, 'sessionKey' | 'revocations' | 'revokeSession'> {
  const { tableName, ...where } = requireStore(config);
  const store = createStoreClient(where);
  const session = createSessionServices(config, store);
  return { ...session, revokeSession: createSessionRevoker({ store, tableName, revocations: session.revocations }) };
}

/** The presence function's: one UpdateItem per call, so its bundle holds no message log. */
export function createPresenceServices(
  config: ChatConfig,
): Pick<ChatServices, 'presence' | 'presenceAllowance' | 'sessionKey' | 'revocations'> {
  const { tableName, ...where } = requireStore(config);
  const store = createStoreClient(where);
  return {
    presence: new StoredPresence({ store, tableName }),
    presenceAllowance: createMemorySendAllowance(config.presenceLimit),
    ...createSessionServices(config, store),
  };
}

/** What checking a session needs: the key, and the logged-out sessions (the session and logout functions). */
export function createSessionServices(
  config: ChatConfig,
  store?: StoreClient,
): Pick<ChatServices, 'sessionKey' | 'revocations'> {
  const { tableName, ...where } = requireStore(config);
  return {
    sessionKey: sessionKeySource(requireSessionKey(config)),
    revocations: createRevocations({ store: store ?? createStoreClient(where), tableName }),
  };
}

function longPolling(config: ChatConfig, reader: MessageReader, signals: RoomSignals): LongPoll {
  return createLongPoll({
    reader,
    signals,
    // The sole writer hears of every append through the signal; elsewhere others write too.
    checkMs: config.wait.soleWriter ? Number.POSITIVE_INFINITY : config.wait.checkMs,
    observe: (held) => countHeldPoll(held.wakeDelayMs),
  });
}
