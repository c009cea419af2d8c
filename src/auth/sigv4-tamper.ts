import { type SignedRequest, type SignInput, signRequest } from './sigv4-sign.js';

/**
 * Validly signed requests broken in one place on purpose: the attack cases a verifier must reject.
 * Signing at a chosen time (the skew cases) is `signRequest` with `date`.
 */

/** One part of a request changed after signing; without `value`, a change that is always a real change. */
export type Tamper =
  | { part: 'method'; value?: string }
  /** The path, replaced whole; by default `/tampered` is put in front of it. */
  | { part: 'path'; value?: string }
  /** A `name=value` pair added to the query; default `tampered=1`. */
  | { part: 'query'; value?: string }
  /** A header's (last) value replaced; by default `-tampered` is appended to it. */
  | { part: 'header'; name: string; value?: string }
  /** The body replaced; by default `tampered` is appended to it. */
  | { part: 'body'; value?: string | Buffer };

const PATH = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)([^?#]*)(\?[^#]*)?/i;

function changeUrl(url: string, change: (path: string, query: string | undefined) => string): string {
  const [, origin = '', path = '', query] = PATH.exec(url) ?? [];
  return `${origin}${change(path, query)}`;
}

function tamperHeader(headers: SignedRequest['headers'], name: string, value: string | undefined): void {
  const key = name.toLowerCase();
  const current = headers[key] ?? '';
  const values = typeof current === 'string' ? [current] : [...current];
  const last = values.length - 1;
  values[last] = value ?? `${values[last]}-tampered`;
  headers[key] = values.length === 1 ? values[0]! : values;
}

/** Signs the request, then changes one part of it without signing again. */
export function signThenTamper(input: SignInput, tamper: Tamper): SignedRequest {
  const signed = signRequest(input);
  switch (tamper.part) {
    case 'method':
      return { ...signed, method: tamper.value ?? (signed.method === 'GET' ? 'POST' : 'GET') };
    case 'path':
      return {
        ...signed,
        url: changeUrl(signed.url, (path, query) => `${tamper.value ?? `/tampered${path}`}${query ?? ''}`),
      };
    case 'query': {
      const pair = tamper.value ?? 'tampered=1';
      return {
        ...signed,
        url: changeUrl(signed.url, (path, query) => `${path}${query ? `${query}&` : '?'}${pair}`),
      };
    }
    case 'header':
      tamperHeader(signed.headers, tamper.name, tamper.value);
      return signed;
    case 'body':
      return { ...signed, body: tamper.value ?? `${signed.body ?? ''}tampered` };
  }
}

/** A signature whose SignedHeaders leave out `host`; the Host header is still sent. */
export function signWithoutHost(input: SignInput): SignedRequest {
  return signRequest({ ...input, unsignedHeaders: [...(input.unsignedHeaders ?? []), 'host'] });
}
