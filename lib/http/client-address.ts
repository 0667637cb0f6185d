/**
 * Whose login allowance a request uses: the client's address as the edge in front saw it.
 * Locally that is the TCP peer; in AWS it is the viewer address that a CloudFront Function
 * writes into a header of its own (overwriting whatever the client sent), named by the
 * configuration. A client's own `X-Forwarded-For` is never read: anyone can write it.
 *
 * IPv6 addresses count by their /64 prefix, since one subscriber usually has a whole /64 and
 * could otherwise take a fresh allowance per address; IPv4-mapped IPv6 counts as IPv4.
 */
import { isIP } from 'node:net';
import { header, type HttpEvent } from './request';

export function clientAddress(event: HttpEvent, trustedHeader: string | undefined): string {
  const fromEdge = trustedHeader ? header(event, trustedHeader) : undefined;
  return normaliseAddress(fromEdge ?? event.requestContext?.http?.sourceIp ?? 'unknown');
}

/** An address (optionally with a port, as CloudFront's "ip:port") as the key of its allowance. */
export function normaliseAddress(raw: string): string {
  let address = raw.trim();
  if (isIP(address) === 0) {
    // "198.51.100.10:46532", "[2001:db8::1]:443" or "2001:db8::1:443": drop the port.
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
    if (bracketed) address = bracketed[1]!;
    else if (/:\d+$/.test(address) && isIP(address.replace(/:\d+$/, '')) !== 0) address = address.replace(/:\d+$/, '');
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) === 6) return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
  return isIP(address) === 4 ? address : 'unknown';
}

function expandIpv6(address: string): string[] {
  const [head, tail] = address.toLowerCase().split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...fill, ...right].map((part) => part.replace(/^0+(?=.)/, ''));
}
