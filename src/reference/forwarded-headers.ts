import { AUTHORIZER_HEADER_PREFIX } from './authorizer-outcome.js';
import { IDENTITY_HEADER_PREFIX } from './identity-headers.js';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those a client sets itself. */
export const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/** A header name a client may not send on, because only the gateway may set it. */
const isIdentityHeader = (name: string) =>
  name.startsWith(AUTHORIZER_HEADER_PREFIX) || name.startsWith(IDENTITY_HEADER_PREFIX);

/**
 * The caller's headers as an integration receives them (names lower-case): none of one connection,
 * none named in its Connection header, none the gateway consumed, and none posing as the
 * authorizer or the caller's identity (`spoofed` says which; the reference's faults widen it).
 */
export function forwardedHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  consumed: readonly string[] = [],
  spoofed: (name: string) => boolean = isIdentityHeader,
): Record<string, string> {
  const lower = Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value] as const);
  const connection = lower
    .find(([name]) => name === 'connection')?.[1]
    ?.toString()
    .toLowerCase()
    .split(',')
    .map((token) => token.trim());
  const forwarded: Record<string, string> = {};
  for (const [name, value] of lower) {
    if (value === undefined || NOT_FORWARDED.has(name) || connection?.includes(name)) continue;
    if (consumed.includes(name) || spoofed(name)) continue;
    forwarded[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return forwarded;
}
