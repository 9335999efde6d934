import type { IncomingMessage } from 'node:http';
import parseForwarded from 'forwarded-parse';
import proxyaddr from 'proxy-addr';

/** The address a connection counts against in the per-IP limit; `undefined` for a malformed `Forwarded`. */
export type ClientAddress = (req: IncomingMessage) => string | undefined;

/** Throws a readable error for an entry of TRUSTED_PROXIES that is neither an address nor a CIDR. */
export function compileTrustedProxies(
  trustedProxies: readonly string[],
): (addr: string, hop: number) => boolean {
  return proxyaddr.compile([...trustedProxies]);
}

/**
 * With no trusted proxies, the socket's peer. Otherwise the hops of `Forwarded` (RFC 7239) or else
 * `X-Forwarded-For` are walked from the nearest one and the first address that is not a trusted proxy
 * is the client's: a client cannot pick its own address by sending the header, since only what the
 * trusted proxies appended is believed.
 */
export function clientAddress(trustedProxies: readonly string[]): ClientAddress {
  const peer = (req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies.length === 0) return peer;
  const trust = compileTrustedProxies(trustedProxies);
  return (req) => {
    const header = req.headers.forwarded;
    if (header === undefined) return proxyaddr(req, trust);
    const forwardedFor = forwardedHops(header);
    if (forwardedFor === undefined) return undefined;
    const hops = [peer(req), ...forwardedFor.reverse()];
    const client = hops.findIndex((addr, i) => !trust(addr, i));
    return hops[client === -1 ? hops.length - 1 : client];
  };
}

/** The `for=` nodes, nearest last, as plain addresses (brackets and ports removed). */
function forwardedHops(header: string): string[] | undefined {
  let elements: Array<Record<string, string>>;
  try {
    elements = parseForwarded(header);
  } catch {
    return undefined;
  }
  return elements.flatMap((element) => {
    const node = element['for'];
    return node === undefined ? [] : [nodeAddress(node)];
  });
}

function nodeAddress(node: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(node);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(node);
  return withPort?.[1] ?? node;
}
