import type { FastifyRequest } from 'fastify';

/**
 * The client's address for rate limits. The TCP peer, unless `trustedHops` reverse proxies are
 * declared (TRUST_PROXY_HOPS): then the address that many entries back in X-Forwarded-For, the
 * last one a proxy of ours wrote. Entries further left are written by the client and ignored,
 * so a client cannot pick its own address (Fastify's `request.ip` with trustProxy: true would
 * take the leftmost one).
 */
export function clientAddress(request: FastifyRequest, trustedHops: number): string {
  const peer = request.raw.socket?.remoteAddress ?? request.ip ?? 'unknown';
  if (trustedHops <= 0) return normalise(peer);
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  // Nearest first: the peer, then X-Forwarded-For from right to left.
  const chain = [peer, ...forwarded.reverse()];
  return normalise(chain[Math.min(trustedHops, chain.length - 1)]);
}

/** IPv4-mapped IPv6 as IPv4; IPv6 clients by their /64, the block one subscriber gets. */
function normalise(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (address.includes(':')) return ipv6Prefix64(address);
  return address;
}

function ipv6Prefix64(address: string): string {
  const bare = address
    .replace(/^\[|\]$/g, '')
    .split('%')[0]
    .toLowerCase();
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [
          ...left,
          ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'),
          ...right,
        ];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return bare;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
