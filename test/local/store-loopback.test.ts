/**
 * The embedded store accepts any credentials, so it must not be reachable from the network:
 * DynamoDB Local, started as `npm start` starts it, listens on loopback only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '#local/dynamodb-local';
import { decodeAddress, descendants, isLoopback, listeningSockets } from '#test/support/listening-sockets';

describe('the embedded store', () => {
  it.each([
    ['on disk', true],
    ['in memory', false],
  ])('listens on loopback only (%s)', async (_mode, onDisk) => {
    const dataDir = onDisk ? mkdtempSync(join(tmpdir(), 'chat-store-')) : undefined;
    const store = await startDynamoDbLocal({ dataDir });
    try {
      const sockets = listeningSockets([store.pid!, ...descendants(store.pid!)]);

      expect(sockets.map((s) => s.port)).toContain(store.port);
      expect(sockets.filter((s) => !isLoopback(s.address))).toEqual([]);
    } finally {
      await store.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('reading listening sockets from /proc', () => {
  it('decodes the addresses of /proc/net/tcp and tcp6', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('00000000')).toBe('0.0.0.0');
    expect(decodeAddress('0501A8C0')).toBe('192.168.1.5');
    expect(decodeAddress('00000000000000000000000001000000')).toBe('0:0:0:0:0:0:0:1');
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('0:0:0:0:0:ffff:7f00:1');
    expect(decodeAddress('00000000000000000000000000000000')).toBe('0:0:0:0:0:0:0:0');
  });

  it('finds what this process listens on', async () => {
    const servers = [createServer(), createServer()];
    await Promise.all(
      servers.map((s, i) => new Promise<void>((resolve) => s.listen(0, i === 0 ? '127.0.0.1' : '::1', resolve))),
    );
    try {
      const [v4, v6] = servers.map((s) => (s.address() as AddressInfo).port);
      const sockets = listeningSockets([process.pid]);

      expect(sockets).toContainEqual({ pid: process.pid, address: '127.0.0.1', port: v4 });
      expect(sockets).toContainEqual({ pid: process.pid, address: '0:0:0:0:0:0:0:1', port: v6 });
    } finally {
      for (const s of servers) s.close();
    }
  });
});

describe('isLoopback', () => {
  it('tells loopback addresses from wildcards and others', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '0:0:0:0:0:0:0:1', '0:0:0:0:0:ffff:7f00:1'])
      expect(isLoopback(address)).toBe(true);
    for (const address of [
      '0.0.0.0',
      '0:0:0:0:0:0:0:0',
      '192.168.1.5',
      '0:0:0:0:0:ffff:c0a8:105',
      'fe80:0:0:0:0:0:0:1',
    ])
      expect(isLoopback(address)).toBe(false);
  });
});
