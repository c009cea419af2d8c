import type { IncomingHttpHeaders } from 'node:http';
import type { CorsConfig } from './cors-config.js';
import type { FaultName } from './faults.js';
import type { Reply } from './pipeline.js';

type Headers = Record<string, string | string[]>;

/** Which origins a CORS config admits, and the headers it answers with. */
export class CorsPolicy {
  private readonly matchers: ((origin: string) => boolean)[];

  constructor(
    readonly config: CorsConfig,
    private readonly fault: FaultName | undefined,
  ) {
    this.matchers = config.allowOrigins.map((pattern) => originMatcher(pattern, fault));
  }

  allows(origin: string): boolean {
    if (this.fault === 'cors-reflect-any-origin') return true;
    if (origin === 'null') return this.fault === 'cors-null-origin-allowed';
    return this.matchers.some((matches) => matches(origin));
  }

  /** The answer to a preflight: the configured lists, never the request's, so a browser can refuse. */
  preflight(headers: IncomingHttpHeaders, status: number): Reply {
    const origin = single(headers.origin);
    const out: Headers = {};
    if (origin !== undefined && this.allows(origin)) {
      const { config, fault } = this;
      this.grant(out, origin);
      const methods =
        fault === 'cors-preflight-any-method'
          ? [...config.allowMethods, single(headers['access-control-request-method']) ?? '']
          : config.allowMethods;
      if (methods.some(Boolean)) out['access-control-allow-methods'] = methods.filter(Boolean).join(',');
      const requested = single(headers['access-control-request-headers']);
      const allowHeaders = requested
        ? headersAllowed(config.allowHeaders, requested, fault)
        : config.allowHeaders;
      if (allowHeaders.length) out['access-control-allow-headers'] = allowHeaders.join(',');
      if (config.maxAge !== undefined && fault !== 'cors-max-age-missing') {
        out['access-control-max-age'] = String(config.maxAge);
      }
      if (fault === 'cors-preflight-no-allow-origin') delete out['access-control-allow-origin'];
    }
    return { status, headers: out, body: '' };
  }

  /**
   * CORS headers on an actual response: the backend's own are dropped (the config is the one
   * authority), and the grant is added only for a request with an allowed `Origin`.
   */
  decorate(reply: Reply, headers: IncomingHttpHeaders): Reply {
    const out: Headers = {};
    for (const [name, value] of Object.entries(reply.headers)) {
      if (!name.toLowerCase().startsWith('access-control-')) out[name] = value;
    }
    const decorated = { ...reply, headers: out };
    const origin = single(headers.origin);
    const { fault } = this;
    if (origin === undefined) {
      if (fault === 'cors-headers-without-origin') out['access-control-allow-origin'] = '*';
      return decorated;
    }
    if (reply.gatewayResponse && (!this.config.gatewayResponses || fault === 'cors-gateway-responses-bare')) {
      return decorated;
    }
    // Faults of the gateway responses' own CORS headers, as they are configured by hand on AWS.
    if (reply.gatewayResponse && fault === 'cors-gateway-401-bare' && reply.status === 401) return decorated;
    if (reply.gatewayResponse && fault === 'cors-gateway-5xx-bare' && reply.status >= 500) return decorated;
    if (reply.gatewayResponse && fault === 'cors-gateway-responses-wildcard') {
      out['access-control-allow-origin'] = '*';
      return decorated;
    }
    if (fault === 'cors-actual-no-headers' || !this.allows(origin)) return decorated;
    this.grant(out, origin);
    if (this.config.exposeHeaders.length && fault !== 'cors-expose-headers-missing') {
      out['access-control-expose-headers'] = this.config.exposeHeaders.join(',');
    }
    return decorated;
  }

  /** Allow-Origin (echoed, or `*` when any origin is allowed), credentials, and Vary when echoed. */
  private grant(out: Headers, origin: string): void {
    const { config, fault } = this;
    const wildcard =
      (config.allowOrigins.includes('*') && !config.allowCredentials) ||
      fault === 'cors-wildcard-with-credentials';
    out['access-control-allow-origin'] = wildcard ? '*' : origin;
    if (config.allowCredentials && fault !== 'cors-credentials-missing') {
      out['access-control-allow-credentials'] = 'true';
    }
    if (!wildcard && fault !== 'cors-no-vary') addVary(out, 'Origin', fault === 'cors-vary-replaced');
  }
}

/**
 * The configured list, never the request's: a browser then refuses what is missing. The faults
 * echo requested headers that an almost-right check let through.
 */
function headersAllowed(
  allowed: readonly string[],
  requested: string,
  fault: FaultName | undefined,
): string[] {
  const asked = requested
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const lower = allowed.map((h) => h.toLowerCase());
  if (fault === 'cors-preflight-any-header') return [...allowed, requested];
  if (fault === 'cors-preflight-header-prefix') {
    return [...allowed, ...asked.filter((h) => !lower.includes(h) && lower.some((a) => h.startsWith(a)))];
  }
  if (fault === 'cors-preflight-first-header-only' && lower.includes(asked[0] ?? ''))
    return [...allowed, ...asked];
  return [...allowed];
}

/** A preflight: OPTIONS with an Origin and the method the browser wants to send. */
export function isPreflight(httpMethod: string, headers: IncomingHttpHeaders): boolean {
  return (
    httpMethod === 'OPTIONS' &&
    headers.origin !== undefined &&
    headers['access-control-request-method'] !== undefined
  );
}

/** `*` in a pattern stands for one or more DNS labels; everything else is literal. */
function originMatcher(pattern: string, fault: FaultName | undefined): (origin: string) => boolean {
  if (pattern === '*') return () => true;
  const lower = pattern.toLowerCase();
  if (fault === 'cors-origin-host-only') {
    // The fault: the origins are parsed and their hosts compared, scheme and port forgotten.
    const host = (origin: string) => /^[a-z]+:\/\/([^:/]*)/.exec(origin.toLowerCase())?.[1] ?? '';
    const wanted = host(lower).replace('*', '\0');
    const re = new RegExp(`^${escapeRegExp(wanted).replace('\0', '[a-z0-9-]+(\\.[a-z0-9-]+)*')}$`);
    return (origin) => re.test(host(origin));
  }
  if (!lower.includes('*')) return exactMatcher(lower, fault);
  if (fault === 'cors-wildcard-patterns-ignored') return () => false;
  const [head, tail] = lower.split('*') as [string, string];
  if (fault === 'cors-wildcard-suffix-match') {
    // The classic mistake: a suffix test without the dot, so evil-example.com passes for *.example.com.
    const suffix = tail.replace(/^\./, '');
    return (origin) => origin.toLowerCase().startsWith(head) && origin.toLowerCase().endsWith(suffix);
  }
  // The fault leaves the end open, so anything may follow the allowed domain.
  const end = fault === 'cors-wildcard-unanchored' ? '' : '$';
  const re = new RegExp(`^${escapeRegExp(head)}[a-z0-9-]+(\\.[a-z0-9-]+)*${escapeRegExp(tail)}${end}`);
  return (origin) => re.test(origin.toLowerCase());
}

/** An origin written out: equal to it, or as the near-miss faults compare. */
function exactMatcher(allowed: string, fault: FaultName | undefined): (origin: string) => boolean {
  switch (fault) {
    case 'cors-origin-prefix-match':
      return (origin) => origin.toLowerCase().startsWith(allowed);
    case 'cors-origin-substring':
      return (origin) => origin !== '' && allowed.includes(origin.toLowerCase());
    case 'cors-origin-regex-unescaped': {
      const re = new RegExp(`^${allowed}$`);
      return (origin) => re.test(origin.toLowerCase());
    }
    default:
      return (origin) => origin.toLowerCase() === allowed;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Extends an existing Vary rather than replacing it; a token already there is not repeated. */
function addVary(headers: Headers, token: string, replace: boolean): void {
  const name = Object.keys(headers).find((n) => n.toLowerCase() === 'vary');
  const current = name === undefined ? '' : [headers[name]].flat().join(', ');
  if (name !== undefined) delete headers[name];
  const tokens = replace
    ? []
    : current
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
  if (!tokens.some((t) => t.toLowerCase() === token.toLowerCase() || t === '*')) tokens.push(token);
  headers.vary = tokens.join(', ');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
