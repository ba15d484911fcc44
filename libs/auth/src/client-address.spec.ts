import type { FastifyRequest } from 'fastify';
import { clientAddress } from './client-address';

const request = (peer: string, forwardedFor?: string) =>
  ({
    raw: { socket: { remoteAddress: peer } },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as FastifyRequest;

describe('client address for rate limits', () => {
  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('203.0.113.9', '1.2.3.4'), 0)).toBe('203.0.113.9');
  });

  it('is the entry the trusted proxies wrote, never one the client prepended', () => {
    // client → proxy (10.0.0.2) → API; the client forged "1.2.3.4".
    expect(clientAddress(request('10.0.0.2', '1.2.3.4, 198.51.100.7'), 1)).toBe('198.51.100.7');
    // Two proxies: the CDN wrote the client, the load balancer wrote the CDN.
    expect(clientAddress(request('10.0.0.2', '1.2.3.4, 198.51.100.7, 10.0.0.1'), 2)).toBe(
      '198.51.100.7',
    );
    // Fewer entries than hops: the farthest known.
    expect(clientAddress(request('10.0.0.2'), 1)).toBe('10.0.0.2');
  });

  it('counts IPv4-mapped IPv6 as IPv4 and an IPv6 client by its /64', () => {
    expect(clientAddress(request('::ffff:192.0.2.1'), 0)).toBe('192.0.2.1');
    expect(clientAddress(request('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), 0)).toBe('2001:db8:1:2::/64');
    expect(clientAddress(request('2001:db8:1:2::1'), 0)).toBe('2001:db8:1:2::/64');
    expect(clientAddress(request('::1'), 0)).toBe('0:0:0:0::/64');
  });
});
