/**
 * The two pieces of handler code that exist for the AWS deployment: where the session key
 * comes from, and what each response counts as in the metrics the alarms read.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { loadConfig, requireSessionKey } from '#lib/config';
import { decodeKey, loadSessionKey } from '#aws/session-key';
import { METRIC, responseMetrics } from '#aws/metrics';
import { SESSION_KEY_GENERATION } from '#stack/session-key-secret';

/** The session key settings as the configuration reads them from these variables. */
const keyFrom = (env: Record<string, string>) => requireSessionKey(loadConfig(env));

const unreachable = async (): Promise<string> => {
  throw new Error('the secret store must not be asked');
};

/** A value as Secrets Manager generates it with the stack's settings: letters and digits only. */
function generatedSecretValue(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: SESSION_KEY_GENERATION.passwordLength }, () => alphabet[randomInt(alphabet.length)]).join(
    '',
  );
}

describe('loadSessionKey', () => {
  it('reads the key from CHAT_SESSION_KEY when running locally', async () => {
    const key = randomBytes(32);
    const loaded = await loadSessionKey(keyFrom({ CHAT_SESSION_KEY: key.toString('base64') }), unreachable);
    expect(loaded.equals(key)).toBe(true);
  });

  it('reads the secret named by CHAT_SESSION_KEY_SECRET_ARN in AWS, in preference to anything else', async () => {
    const value = generatedSecretValue();
    const asked: string[] = [];
    const loaded = await loadSessionKey(
      keyFrom({
        CHAT_SESSION_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:key',
        CHAT_SESSION_KEY: randomBytes(32).toString('base64'),
      }),
      async (id) => {
        asked.push(id);
        return value;
      },
    );
    expect(asked).toEqual(['arn:aws:secretsmanager:eu-west-1:123456789012:secret:key']);
    expect(loaded.equals(Buffer.from(value, 'base64'))).toBe(true);
  });

  it('fails with a message naming both settings when neither is given', async () => {
    await expect(async () => loadSessionKey(keyFrom({}), unreachable)).rejects.toThrow(
      'configuration: CHAT_SESSION_KEY (locally) or CHAT_SESSION_KEY_SECRET_ARN (in AWS) is required',
    );
  });

  it('refuses a key shorter than 32 bytes, from either source', async () => {
    const short = randomBytes(16).toString('base64');
    await expect(loadSessionKey(keyFrom({ CHAT_SESSION_KEY: short }), unreachable)).rejects.toThrow(
      /at least 32 bytes/,
    );
    await expect(loadSessionKey(keyFrom({ CHAT_SESSION_KEY_SECRET_ARN: 'arn' }), async () => short)).rejects.toThrow(
      /at least 32 bytes/,
    );
  });
});

describe('decodeKey with the secret the stack generates', () => {
  it('turns 64 generated letters and digits into a 48-byte key, without losing a character', () => {
    for (let i = 0; i < 20; i++) {
      const value = generatedSecretValue();
      const key = decodeKey(value);
      expect(key.length).toBe(48);
      expect(key.toString('base64')).toBe(value);
    }
  });

  it('ignores a trailing line break, as pasted by an operator rotating the key by hand', () => {
    const key = randomBytes(48);
    expect(decodeKey(`${key.toString('base64')}\n`).equals(key)).toBe(true);
  });
});

describe('responseMetrics', () => {
  it('counts a stored message as MessagesSent, but not a repeated send', () => {
    expect(responseMetrics('send-message', 201)).toEqual([METRIC.messagesSent]);
    expect(responseMetrics('send-message', 200)).toEqual([]);
  });

  it('counts an answered poll as Polls', () => {
    expect(responseMetrics('read-messages', 200)).toEqual([METRIC.polls]);
  });

  it('counts every 4xx as ClientErrors, whichever handler answered', () => {
    for (const [handler, status] of [
      ['login', 400],
      ['read-messages', 401],
      ['not-found', 404],
      ['not-found', 405],
      ['send-message', 429],
    ] as const) {
      expect(responseMetrics(handler, status)).toEqual([METRIC.clientErrors]);
    }
  });

  it('counts 5xx as ServerErrors, and a 503 (the store throttling or away) also as StoreThrottles', () => {
    expect(responseMetrics('send-message', 500)).toEqual([METRIC.serverErrors]);
    expect(responseMetrics('read-messages', 503)).toEqual([METRIC.serverErrors, METRIC.storeThrottles]);
  });

  it('counts nothing for other successful answers', () => {
    expect(responseMetrics('health', 200)).toEqual([]);
    expect(responseMetrics('login', 200)).toEqual([]);
    expect(responseMetrics('get-session', 200)).toEqual([]);
  });
});
