import { createHash } from 'node:crypto';
import type { Evidence } from './model.js';

/** Replaces secrets in a piece of text with their fingerprints. */
export type Redactor = (text: string) => string;

/** Shorter known secrets are left alone: replacing every "admin" or "test" would garble evidence. */
const MIN_SECRET_LENGTH = 8;

/**
 * A secret's short, non-reversible stand-in. Equal secrets give equal fingerprints, so a reader can
 * still tell "the valid key" from "the disabled key" without seeing either.
 */
export function fingerprint(secret: string): string {
  const digest = createHash('sha256').update(secret).digest('hex').slice(0, 8);
  return `sha256:${digest}…(${secret.length} chars)`;
}

/** Values already fingerprinted are kept, so redacting twice changes nothing. */
function hide(value: string): string {
  return value === '' || value.startsWith('sha256:') ? value : fingerprint(value);
}

/** `AKID/20150830/us-east-1/execute-api/aws4_request`: the key id is hidden, the scope kept for debugging. */
function hideCredential(value: string): string {
  const cut = value.search(/\/|%2F/i);
  return cut < 0 ? hide(value) : hide(value.slice(0, cut)) + value.slice(cut);
}

const AUTH_SCHEMES = new Set(['basic', 'bearer', 'digest', 'negotiate', 'aws4-hmac-sha256']);

/** Keeps the scheme word (and SigV4's structure) so evidence still shows what kind of credential was sent. */
function hideAuthorization(value: string): string {
  const trimmed = value.trimEnd();
  const tail = value.slice(trimmed.length);
  if (trimmed.startsWith('sha256:')) return value;
  if (/^AWS4-HMAC-SHA256\s/i.test(trimmed)) {
    return (
      trimmed
        .replace(/(Credential=)([^,\s]+)/i, (_, key: string, v: string) => key + hideCredential(v))
        .replace(/(Signature=)([^,\s]+)/i, (_, key: string, v: string) => key + hide(v)) + tail
    );
  }
  const parts = /^(\S+)(\s+)(.+)$/.exec(trimmed);
  if (parts) return `${parts[1]}${parts[2]}${hide(parts[3]!)}${tail}`;
  return (AUTH_SCHEMES.has(trimmed.toLowerCase()) ? trimmed : hide(trimmed)) + tail;
}

/** Header or query parameter names whose values are credentials, whatever they contain. */
const RULES = (
  [
    { name: 'authorization', value: `[^"'\\r\\n&]*`, hide: hideAuthorization },
    { name: '(?:x-)?api[-_]?key', value: `[^\\s"'&,;#<>]*`, hide },
    { name: 'x-amz-security-token', value: `[^\\s"'&,;#<>]*`, hide },
    { name: 'x-amz-signature', value: `[^\\s"'&,;#<>]*`, hide },
    { name: 'x-amz-credential', value: `[^\\s"'&,;#<>]*`, hide: hideCredential },
  ] satisfies Array<{ name: string; value: string; hide: (value: string) => string }>
).map((rule) => ({
  ...rule,
  header: new RegExp(`^${rule.name}$`, 'i'),
  // `name: value`, `name=value` and `"name": "value"` alike: header lines, query strings, echoed JSON.
  text: new RegExp(`(?<![\\w-])(${rule.name})(["']?\\s*[:=]\\s*["']?)(${rule.value})`, 'gi'),
}));

/** A JWT (or JWS) anywhere: a base64url JSON header, a payload and a possibly empty signature. */
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/** The userinfo of a URL (`https://user:password@host`), whoever wrote it: a profile, a gateway, a message. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+)@/gi;

/** A URL with its userinfo, if any, replaced by a fingerprint: where a URL is shown, not its credentials. */
export function withoutUserinfo(text: string): string {
  return text.replace(USERINFO, (_, scheme: string, userinfo: string) => `${scheme}${hide(userinfo)}@`);
}

/**
 * A redactor for the given secrets (API keys, secret keys, tokens) plus generic patterns that catch
 * credentials gateproof was never told about: authorization values, API-key headers and query
 * parameters, SigV4 signatures, credentials and session tokens, JWTs, and the userinfo of URLs.
 */
export function createRedactor(secrets: readonly string[]): Redactor {
  // An encoded copy (in a URL) gets the fingerprint of the secret itself, so it matches the header's.
  const needles = new Map<string, string>();
  for (const secret of secrets.filter((s) => s.length >= MIN_SECRET_LENGTH)) {
    const fp = fingerprint(secret);
    needles.set(secret, fp);
    needles.set(encodeURIComponent(secret), fp);
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...needles].sort((a, b) => b[0].length - a[0].length);
  return (text) => {
    let out = text;
    for (const [needle, fp] of ordered) out = out.split(needle).join(fp);
    for (const rule of RULES) {
      out = out.replace(
        rule.text,
        (_, name: string, sep: string, value: string) => name + sep + rule.hide(value),
      );
    }
    return withoutUserinfo(out.replace(JWT, (token) => fingerprint(token)));
  };
}

export function redactHeaders(headers: Record<string, string>, redact: Redactor): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const rule = RULES.find((r) => r.header.test(name));
    out[name] = rule ? rule.hide(redact(value)) : redact(value);
  }
  return out;
}

/** A copy of one piece of evidence with every header, URL, body and message redacted. */
export function redactEvidence(evidence: Evidence, redact: Redactor): Evidence {
  const { request, response, origin, error, contractViolations, note } = evidence;
  return {
    ...(request && {
      request: {
        method: request.method,
        url: redact(request.url),
        headers: redactHeaders(request.headers, redact),
        ...(request.body !== undefined && { body: redact(request.body) }),
      },
    }),
    ...(response && {
      response: {
        status: response.status,
        headers: redactHeaders(response.headers, redact),
        ...(response.body !== undefined && { body: redact(response.body) }),
        ...(response.bodyBytes !== undefined && { bodyBytes: response.bodyBytes }),
        ...(response.bodySha256 !== undefined && { bodySha256: response.bodySha256 }),
        durationMs: response.durationMs,
      },
    }),
    ...(origin && {
      origin: { reached: origin.reached, ...(origin.note !== undefined && { note: redact(origin.note) }) },
    }),
    ...(error !== undefined && { error: redact(error) }),
    ...(contractViolations && { contractViolations: contractViolations.map(redact) }),
    ...(note !== undefined && { note: redact(note) }),
  };
}
