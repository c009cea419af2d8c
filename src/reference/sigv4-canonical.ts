import { createHash, createHmac } from 'node:crypto';

/**
 * The SigV4 canonical request, string to sign and signature, computed from the request as it arrived.
 * Written from the algorithm, not from the signer's code, so the gateway never trusts what it checks.
 */

export type ReceivedHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 percent-encoding of the UTF-8 bytes: everything but the unreserved characters, `%` included. */
export function uriEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The canonical URI of every service but S3: empty and `.` segments dropped, `..` removes the segment
 * before it, a trailing slash kept, then each segment encoded. The path is encoded as received (still
 * percent-encoded), which is AWS's "encode twice": the client encoded once to send it.
 */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

/** Form-style decoding (`+` is a space), as AWS services and aws4 read a query; bad escapes stay literal. */
function decodeComponent(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

export type QueryPairs = ReadonlyArray<readonly [string, string]>;

/** The decoded `name=value` pairs of a raw query string (without `?`), in order, repeats kept. */
export function parseQuery(rawQuery: string): QueryPairs {
  return rawQuery
    .split('&')
    .filter((piece) => piece !== '')
    .map((piece) => {
      const eq = piece.indexOf('=');
      const name = eq < 0 ? piece : piece.slice(0, eq);
      return [decodeComponent(name), eq < 0 ? '' : decodeComponent(piece.slice(eq + 1))] as const;
    });
}

/** Ways a verifier builds the canonical request almost right; each is a fault of the reference. */
export interface CanonicalRelaxations {
  /** The query in arrival order, not sorted. */
  queryUnsorted?: boolean;
  /** The query encoded as a form (URLSearchParams): a space as `+`, `*` kept, `~` encoded. */
  queryFormEncoded?: boolean;
  /** Only the first value of a repeated query parameter. */
  queryFirstValueOnly?: boolean;
  /** Only the first value of a repeated header. */
  headerFirstValueOnly?: boolean;
  /** Header values trimmed but their inner runs of whitespace kept. */
  headerWhitespaceKept?: boolean;
}

/** Pairs re-encoded, sorted by name then value, joined with `&`; pairs with an empty name are not signed. */
export function canonicalQuery(
  pairs: QueryPairs,
  exclude?: string,
  relax: CanonicalRelaxations = {},
): string {
  const seen = new Set<string>();
  const kept = pairs.filter(([name]) => {
    if (name === '' || name === exclude) return false;
    if (relax.queryFirstValueOnly && seen.has(name)) return false;
    seen.add(name);
    return true;
  });
  if (relax.queryFormEncoded) {
    const form = new URLSearchParams(kept.map(([name, value]) => [name, value]));
    form.sort();
    return form.toString();
  }
  const encoded = kept.map(([name, value]) => [uriEncode(name), uriEncode(value)] as const);
  if (!relax.queryUnsorted) {
    encoded.sort(([n1, v1], [n2, v2]) => (n1 === n2 ? compare(v1, v2) : compare(n1, n2)));
  }
  return encoded.map(([name, value]) => `${name}=${value}`).join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Header values by lower-case name, every value of a repeated header in arrival order. */
export function headerValues(headers: ReceivedHeaders): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    out.set(key, [...(out.get(key) ?? []), ...(typeof value === 'string' ? [value] : value)]);
  }
  return out;
}

/** `name:value` for one signed header: each value trimmed and its runs of whitespace folded, repeats joined with `,`. */
function canonicalHeader(name: string, values: readonly string[], relax: CanonicalRelaxations): string {
  const used = relax.headerFirstValueOnly ? values.slice(0, 1) : values;
  const fold = (v: string) => (relax.headerWhitespaceKept ? v.trim() : v.trim().replace(/\s+/g, ' '));
  return `${name}:${used.map(fold).join(',')}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface CanonicalRequestParts {
  method: string;
  rawPath: string;
  query: QueryPairs;
  /** Presigned form: `X-Amz-Signature` is not part of what it signs. */
  excludeFromQuery?: string;
  headers: Map<string, string[]>;
  /** The SignedHeaders list exactly as the client sent it. */
  signedHeaders: string;
  payloadHash: string;
  relax?: CanonicalRelaxations;
}

export function canonicalRequest(parts: CanonicalRequestParts): string {
  const names = parts.signedHeaders.split(';');
  const relax = parts.relax ?? {};
  const headerLines = names.map(
    (name) => `${canonicalHeader(name, parts.headers.get(name.toLowerCase()) ?? [], relax)}\n`,
  );
  return [
    parts.method,
    canonicalUri(parts.rawPath),
    canonicalQuery(parts.query, parts.excludeFromQuery, relax),
    headerLines.join(''),
    parts.signedHeaders,
    parts.payloadHash,
  ].join('\n');
}

export function stringToSign(timestamp: string, scope: string, canonical: string): string {
  return ['AWS4-HMAC-SHA256', timestamp, scope, sha256Hex(canonical)].join('\n');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The hex signature: HMAC of the string to sign under the key derived from the secret and the scope. */
export function signature(
  secretAccessKey: string,
  scope: { date: string; region: string; service: string; terminator?: string },
  toSign: string,
): string {
  const key = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, scope.date), scope.region), scope.service),
    scope.terminator ?? 'aws4_request',
  );
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}
