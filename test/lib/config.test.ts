/** The configuration: read once, explicitly; what is missing or malformed stops the start with a clear message. */
import { ConfigError, loadConfig, requireSessionKey, requireStore } from '#lib/config';

describe('loadConfig', () => {
  it('takes the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.sendLimit).toEqual({ rate: 5, burst: 10 });
    expect(config.pollAfterMs).toEqual({ active: 1000, quiet: 2000 });
    expect(config.store).toBeUndefined();
    expect(config.sessionKey).toBeUndefined();
  });

  it('reads the store and the key from the environment it is given, not from the process', () => {
    const config = loadConfig({
      CHAT_TABLE_NAME: 't',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
      AWS_REGION: 'local',
      CHAT_SESSION_KEY: 'k',
    });
    expect(config.store).toEqual({ tableName: 't', endpoint: 'http://127.0.0.1:1', region: 'local' });
    expect(config.sessionKey).toEqual({ source: 'value', value: 'k' });
  });

  it('prefers the secret to a key value', () => {
    expect(loadConfig({ CHAT_SESSION_KEY_SECRET_ARN: 'arn', CHAT_SESSION_KEY: 'k' }).sessionKey).toEqual({
      source: 'secret',
      secretId: 'arn',
    });
  });

  it('accepts a fractional rate but only whole milliseconds', () => {
    expect(loadConfig({ CHAT_SEND_RATE: '0.1' }).sendLimit.rate).toBe(0.1);
    expect(() => loadConfig({ CHAT_POLL_ACTIVE_MS: '0.1' })).toThrow(
      'configuration: CHAT_POLL_ACTIVE_MS must be a whole number, got "0.1"',
    );
  });

  it.each([
    ['CHAT_SEND_RATE', '-1'],
    ['CHAT_SEND_BURST', 'ten'],
    ['CHAT_POLL_QUIET_MS', '1e3'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
  });
});

describe('requireStore and requireSessionKey', () => {
  it('name what is missing', () => {
    expect(() => requireStore(loadConfig({}))).toThrow(
      'configuration: environment variable CHAT_TABLE_NAME is required',
    );
    expect(() => requireSessionKey(loadConfig({}))).toThrow(
      'configuration: CHAT_SESSION_KEY (locally) or CHAT_SESSION_KEY_SECRET_ARN (in AWS) is required',
    );
  });
});

describe('a Lambda entry point', () => {
  /** Loads an entry point as a cold start does, with only these variables set. */
  function coldStart(entry: string, env: Record<string, string>): unknown {
    const saved = process.env;
    process.env = { ...env };
    try {
      let handler: unknown;
      jest.isolateModules(() => {
        handler = require(entry).handler;
      });
      return handler;
    } finally {
      process.env = saved;
    }
  }

  it('fails its cold start when a setting it needs is missing, instead of failing each request', () => {
    expect(() => coldStart('../../functions/send-message', { CHAT_SESSION_KEY: 'k' })).toThrow(
      /CHAT_TABLE_NAME is required/,
    );
    expect(() => coldStart('../../functions/read-messages', { CHAT_TABLE_NAME: 't' })).toThrow(/CHAT_SESSION_KEY/);
    expect(() => coldStart('../../functions/login', { CHAT_TABLE_NAME: 't' })).toThrow(/CHAT_SESSION_KEY/);
    expect(() => coldStart('../../functions/login', { CHAT_SESSION_KEY: 'k' })).toThrow(/CHAT_TABLE_NAME is required/);
  });

  it('starts with what it needs, and the ones that need nothing start with nothing', () => {
    expect(typeof coldStart('../../functions/send-message', { CHAT_TABLE_NAME: 't', CHAT_SESSION_KEY: 'k' })).toBe(
      'function',
    );
    expect(typeof coldStart('../../functions/health', {})).toBe('function');
    expect(typeof coldStart('../../functions/not-found', {})).toBe('function');
  });
});
