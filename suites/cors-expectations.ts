import type { Exchange } from '../src/contract/typed-client.js';
import { SetupFailure } from '../src/run/case-meta.js';
import type { Profile } from '../src/target/profile-schema.js';
import type { BrowserFetch } from './browser-pages.js';
import { expect } from './fixtures.js';

/**
 * CORS expectations, written once and as tolerant as the Fetch standard: these requests carry no
 * credentials, so `*` passes wherever an origin, method or header is expected (the credentials
 * cases check what credentialed requests need); list headers are compared as case-insensitive
 * sets; a refusal may be an absent header or one naming another origin.
 */

export type Cors = NonNullable<Profile['cors']>;

export function corsOf(target: Profile): Cors {
  if (!target.cors) throw new SetupFailure('the profile declares no cors section');
  return target.cors;
}

/** The first allowed origin written out exactly (not a wildcard, not `*`). */
export function exactOrigin(cors: Cors): string {
  const origin = cors.allowOrigins.find((o) => !o.includes('*'));
  if (!origin) throw new SetupFailure('cors.allowOrigins lists no exact origin');
  return origin;
}

/** The first wildcard-subdomain pattern (`https://*.example.com`). */
export function wildcardPattern(cors: Cors): string {
  const pattern = cors.allowOrigins.find((o) => /^[a-z]+:\/\/\*\./.test(o));
  if (!pattern)
    throw new SetupFailure('cors.allowOrigins lists no wildcard origin such as https://*.example.com');
  return pattern;
}

export function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

/** The origin may read the answer: echoed, or `*`. */
export function expectGranted(res: Exchange, origin: string): void {
  const allowed = res.headers['access-control-allow-origin'];
  const ok = allowed === origin || allowed === '*';
  expect(ok, `Access-Control-Allow-Origin: ${allowed ?? '(absent)'} should grant ${origin}`).toBe(true);
}

/** The origin may not read the answer: no Allow-Origin, or one naming another origin. */
export function expectNotGranted(res: Exchange, origin: string): void {
  const allowed = res.headers['access-control-allow-origin'];
  const grants = allowed === origin || allowed === '*';
  expect(grants, `Access-Control-Allow-Origin: ${allowed} grants ${origin}`).toBe(false);
}

/** A list header holds `wanted`, or `*`. */
export function expectListed(res: Exchange, header: string, wanted: string): void {
  const values = list(res.headers[header]);
  const ok = values.includes(wanted.toLowerCase()) || values.includes('*');
  expect(ok, `${header}: ${res.headers[header] ?? '(absent)'} should list ${wanted}`).toBe(true);
}

/** Either no grant at all, or a list header that leaves `refused` out (and is not `*`). */
export function expectNotListed(res: Exchange, header: string, refused: string): void {
  if (res.headers['access-control-allow-origin'] === undefined) return;
  const values = list(res.headers[header]);
  expect(values, `${header} allows ${refused}`).not.toContain(refused.toLowerCase());
  expect(values, `${header} allows everything`).not.toContain('*');
}

/**
 * A response that echoes the origin must say it varies by Origin, or a shared cache serves it to
 * others; and Vary stays a list of field names (RFC 9110 §12.5.5), nothing else mixed in.
 */
export function expectVaryWhenEchoed(res: Exchange, origin: string): void {
  if (res.headers['access-control-allow-origin'] !== origin) return;
  const vary = list(res.headers.vary);
  expect(vary, 'Vary').toContain('origin');
  for (const name of vary) expect(name, 'a Vary entry is a field name').toMatch(/^[-!#$%&'*+.^_`|~0-9a-z]+$/);
}

export function expectAllowedByBrowser(result: BrowserFetch): void {
  expect(result.verdict, `the browser blocked the page: ${result.console.join(' | ')}`).toBe('allowed');
}

/** Blocked, and for a CORS reason the browser itself gave in its console. */
export function expectBlockedByBrowser(result: BrowserFetch): void {
  expect(result.verdict, `the page read the answer (status ${result.status})`).toBe('blocked');
  expect(
    result.console.some((line) => /CORS/i.test(line)),
    `the browser blocked the request but gave no CORS reason: ${result.console.join(' | ') || '(no console output)'}`,
  ).toBe(true);
}
