import { UsageError } from '../usage-error.js';

/**
 * What lets a profile value into a gateway's config: only values matching a narrow pattern, so a
 * quote, brace or semicolon in a profile can never change the config's structure.
 */
export function checked(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value))
    throw new UsageError(`${what}: ${JSON.stringify(value)} cannot go into a gateway config`);
  return value;
}

/** For secrets: the message names the field, never the value. */
export function checkedSecret(value: string, what: string): string {
  if (!/^[A-Za-z0-9._~+/=-]{1,512}$/.test(value)) {
    throw new UsageError(`${what}: a gateway config takes values made of letters, digits and ._~+/=- only`);
  }
  return value;
}

/** A literal for a PCRE pattern: the values are already limited to characters a config passes through. */
export function regexLiteral(text: string): string {
  return text.replace(/[.+*?^$()[\]{}|\\/]/g, '\\$&');
}

/** `https://app.example` exactly, `https://*.example.com` (one or more labels), or `https://*` (any host). */
export function originPattern(origin: string): string {
  checked(origin, /^https?:\/\/(\*|(\*\.)?[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'cors.allowOrigins');
  const [scheme, rest] = origin.split('://') as [string, string];
  if (rest === '*') return `^${scheme}://[^/]+$`;
  if (rest.startsWith('*.'))
    return `^${scheme}://[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.${regexLiteral(rest.slice(2))}$`;
  return `^${regexLiteral(origin)}$`;
}

/** A header name as it may appear in a config. */
export function checkedHeaderName(name: string): string {
  return checked(name, /^[A-Za-z0-9-]+$/, 'header name');
}
