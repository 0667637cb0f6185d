/**
 * The six handlers as functions, and what each may do: the table below is the whole
 * permission model of the chat, checked statement by statement in test/stack.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { FunctionName } from '#http/routes';
import { ChatFunction, type TableAction } from './chat-function';
import type { PollSettings } from './config';
import { POLL_STORE_BUDGET_S, pollTimeoutSeconds } from './poll-limits';

export interface FunctionNeeds {
  /**
   * The function's name in the deployed stack (its construct id and role description). It is
   * the v1 name of the handler, kept so that an update changes the code in place instead of
   * replacing the function, its role and its log group.
   */
  readonly deployedAs: string;
  readonly description: string;
  /** The store operations its code performs; none means no table at all. */
  readonly table: readonly TableAction[];
  /** Whether it signs or verifies sessions, and so reads the session key. */
  readonly sessionKey: boolean;
  /**
   * Above the longest the code can take before it answers by itself (the SDK's 3 attempts
   * of at most 3 s each per store call, the append's 8 s deadline), so a slow store gets
   * the documented JSON 503 rather than a Lambda timeout; below HTTP API's 30 s limit. The
   * read function's is for a poll that is not held; a held poll adds its wait
   * (poll-limits.ts).
   */
  readonly timeout: Duration;
}

/** The header CloudFront's viewer-request function sets to the viewer's address, overwriting the client's. */
export const VIEWER_ADDRESS_HEADER = 'x-chat-viewer-address';

export const FUNCTION_NEEDS: Readonly<Record<FunctionName, FunctionNeeds>> = {
  // The login limit per client address (UpdateItem, as the send limit), and redeeming a
  // one-time device link (a conditional DeleteItem).
  login: {
    deployedAs: 'login',
    description: 'POST /api/login: signs a session',
    table: ['DeleteItem', 'UpdateItem'],
    sessionKey: true,
    timeout: Duration.seconds(15),
  },
  // Checking a session reads the logged-out sessions (Query) now and then.
  'get-session': {
    deployedAs: 'session',
    description: 'GET /api/session: reads a session',
    table: ['Query'],
    sessionKey: true,
    timeout: Duration.seconds(15),
  },
  // A device link is one PutItem; checking the session reads the logged-out sessions (Query).
  'create-device-link': {
    deployedAs: 'device-link',
    description: 'POST /api/session/link: a one-time code for another device',
    table: ['PutItem', 'Query'],
    sessionKey: true,
    timeout: Duration.seconds(15),
  },
  // A logout writes one revocation (PutItem); checking the session reads them (Query).
  logout: {
    deployedAs: 'logout',
    description: 'POST /api/logout: revokes a session',
    table: ['PutItem', 'Query'],
    sessionKey: true,
    timeout: Duration.seconds(15),
  },
  health: {
    deployedAs: 'health',
    description: 'GET /api/health',
    table: [],
    sessionKey: false,
    timeout: Duration.seconds(5),
  },
  'not-found': {
    deployedAs: 'not-found',
    description: 'Every other /api request: 404 or 405',
    table: [],
    sessionKey: false,
    timeout: Duration.seconds(5),
  },
  // A poll is one strongly consistent query.
  'read-messages': {
    deployedAs: 'poll',
    description: 'GET /api/rooms/{room}/messages',
    table: ['Query'],
    sessionKey: true,
    timeout: Duration.seconds(POLL_STORE_BUDGET_S),
  },
  // The send limit and the sender's presence (UpdateItem), the room's head (Query), the write
  // (a conditional PutItem, or a transaction of conditional puts, which IAM authorises as
  // PutItem item by item) and the lookup of a repeated clientId (GetItem).
  'send-message': {
    deployedAs: 'add',
    description: 'POST /api/rooms/{room}/messages',
    table: ['UpdateItem', 'Query', 'PutItem', 'GetItem'],
    sessionKey: true,
    timeout: Duration.seconds(25),
  },
  // A change reads the message (GetItem), then writes it with its update entry in one
  // transaction (UpdateItem and PutItem, authorised item by item), after the send allowance
  // (UpdateItem); the head of the room and the logged-out sessions are queried (Query).
  'change-message': {
    deployedAs: 'change',
    description: 'PATCH/DELETE /api/rooms/{room}/messages/{id} and its reactions',
    table: ['UpdateItem', 'Query', 'PutItem', 'GetItem'],
    sessionKey: true,
    timeout: Duration.seconds(25),
  },
  // A presence call is one UpdateItem of the room's state item; checking the session reads
  // the logged-out sessions (Query) now and then.
  'update-presence': {
    deployedAs: 'presence',
    description: 'POST /api/rooms/{room}/presence',
    table: ['UpdateItem', 'Query'],
    sessionKey: true,
    timeout: Duration.seconds(15),
  },
};

export interface ChatFunctionsProps {
  readonly table: ITable;
  readonly sessionKey: ISecret;
  readonly sessionKeyVersion: string;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly poll: PollSettings;
}

export class ChatFunctions extends Construct {
  readonly byName: Readonly<Record<FunctionName, ChatFunction>>;

  constructor(scope: Construct, id: string, props: ChatFunctionsProps) {
    super(scope, id);
    const entries = (Object.keys(FUNCTION_NEEDS) as FunctionName[]).map((name) => {
      const needs = FUNCTION_NEEDS[name];
      const reads = name === 'read-messages';
      const fn = new ChatFunction(this, pascalCase(needs.deployedAs), {
        name,
        deployedAs: needs.deployedAs,
        description: `Chat: ${needs.description}`,
        // A held poll occupies its instance for the whole hold, then may still re-check the store.
        timeout: reads ? Duration.seconds(pollTimeoutSeconds(props.poll.waitSeconds)) : needs.timeout,
        // CPU grows with memory: 256 MB loads the ~0.5 MB bundle and its SDK about twice as fast
        // as 128 MB, and the handlers are short, so the cost per request hardly moves.
        memorySize: 256,
        // Only the read function holds requests, so only it gets a budget (and a ceiling).
        ...(reads ? { reservedConcurrency: props.poll.concurrency } : {}),
        logRetention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
      if (needs.table.length > 0) fn.bindTable(props.table, needs.table);
      if (needs.sessionKey) fn.bindSessionKey(props.sessionKey, props.sessionKeyVersion);
      if (name === 'login') {
        // The viewer's address, as CloudFront's viewer-request function writes it (chat-site.ts).
        fn.function.addEnvironment('CHAT_CLIENT_ADDRESS_HEADER', VIEWER_ADDRESS_HEADER);
      }
      if (reads) {
        // Read by lib/config.ts: the longest hold (0: answer at once) and, while holding, how
        // often to re-check the store (one strongly consistent query each time).
        fn.function.addEnvironment('CHAT_WAIT_MAX_S', String(props.poll.waitSeconds));
        fn.function.addEnvironment('CHAT_WAIT_CHECK_MS', String(props.poll.checkMs));
      }
      return [name, fn] as const;
    });
    this.byName = Object.fromEntries(entries) as Record<FunctionName, ChatFunction>;
  }

  get all(): ChatFunction[] {
    return Object.values(this.byName);
  }

  /** The read function, which holds polls. */
  get reader(): ChatFunction {
    return this.byName['read-messages'];
  }
}

const pascalCase = (name: string): string => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
