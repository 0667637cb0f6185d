/**
 * The TCP sockets a process listens on, read from /proc (Linux): its file descriptors name
 * socket inodes, and /proc/net/tcp and tcp6 give each inode's local address. Nothing is
 * connected to.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ListeningSocket {
  readonly pid: number;
  /** Dotted IPv4, or IPv6 as eight groups of hex ("0:0:0:0:0:ffff:7f00:1"). */
  readonly address: string;
  readonly port: number;
}

const LISTEN = '0A';

/** One 32-bit word of /proc/net/tcp*, in the host's (little-endian) byte order, as 4 bytes. */
function wordBytes(hex: string): number[] {
  const bytes = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.reverse();
}

/** An address of /proc/net/tcp (8 hex digits) or tcp6 (32), as ListeningSocket.address. */
export function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

/** Listening sockets by inode, from both tables. */
function listeningByInode(): Map<string, { address: string; port: number }> {
  const byInode = new Map<string, { address: string; port: number }>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1]!, fields[3]!, fields[9]!];
      if (state !== LISTEN) continue;
      const [addressHex, portHex] = local.split(':') as [string, string];
      byInode.set(inode, { address: decodeAddress(addressHex), port: Number.parseInt(portHex, 16) });
    }
  }
  return byInode;
}

/** Every socket that one of `pids` listens on. */
export function listeningSockets(pids: readonly number[]): ListeningSocket[] {
  const byInode = listeningByInode();
  const found: ListeningSocket[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // ended meanwhile
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const socket = inode && byInode.get(inode);
      if (socket) found.push({ pid, ...socket });
    }
  }
  return found;
}

/** 127.0.0.0/8, ::1, or 127.0.0.0/8 mapped into IPv6 (as Java binds 127.0.0.1). */
export function isLoopback(address: string): boolean {
  if (/^127\./.test(address)) return true;
  if (address === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):[0-9a-f]+$/.exec(address);
  return mapped !== null && Number.parseInt(mapped[1]!, 16) >> 8 === 127;
}

/** Pids of the whole process tree below `pid`, from /proc/<pid>/task/<tid>/children. */
export function descendants(pid: number): number[] {
  const all: number[] = [];
  const walk = (parent: number): void => {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      return;
    }
    for (const task of tasks) {
      let children: string;
      try {
        children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
        all.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return all;
}
