import { createHmac } from 'node:crypto';
import aws4 from 'aws4';

/**
 * SigV4 signing through aws4, in the header form and the presigned query form, with session tokens.
 * The verifier of the reference gateway canonicalises on its own, so a mistake here cannot hide one
 * there.
 */

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type HeaderMap = Record<string, string | string[]>;

export interface SignInput {
  method: string;
  /** An absolute URL. Its path is signed as written: no dot segments or double slashes are cleaned up first. */
  url: string;
  /** Names in any case; a name with several values is sent and signed as several header lines. */
  headers?: Readonly<Record<string, string | readonly string[]>>;
  body?: string | Buffer;
  credentials: SigV4Credentials;
  region: string;
  /** Default `execute-api`. */
  service?: string;
  /** Signing time, default now: a time far from now is how skew cases are made. */
  date?: Date;
  /** Presigned form: the signature and its parameters go in the query, not in `Authorization`. */
  signQuery?: boolean;
  /** Presigned form only: `X-Amz-Expires`, in seconds. */
  expiresIn?: number;
  /** Headers to send without signing them. */
  unsignedHeaders?: readonly string[];
  /**
   * Encode the path once in the canonical URI (S3's rule, and the AWS test vectors, whose request
   * lines hold unencoded paths). Default: twice, execute-api's rule for a path already encoded on the wire.
   */
  singleEncodePath?: boolean;
  /**
   * A credential scope other than the signing time's date and `aws4_request`, signed consistently
   * (the key is derived from it too), so that the scope is the request's only flaw.
   */
  scope?: { date?: string; terminator?: string };
}

export interface SignedRequest {
  method: string;
  url: string;
  /** Lower-case names. */
  headers: HeaderMap;
  body?: string | Buffer;
}

/** aws4 reads these request options, which its type definitions leave out. */
interface Aws4Request extends aws4.Request {
  extraHeadersToIgnore?: Record<string, boolean>;
}

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]+)([^#]*)/i;

/** `new URL` would normalise the path, which the attack and vector cases must keep exactly as written. */
function splitUrl(url: string): { origin: string; host: string; pathAndQuery: string } {
  const parts = URL_PARTS.exec(url);
  if (!parts) throw new Error(`not an absolute URL: ${url}`);
  const [, scheme, host, rest] = parts as unknown as [string, string, string, string];
  const pathAndQuery = rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
  return { origin: `${scheme}${host}`, host, pathAndQuery };
}

/** `YYYYMMDDTHHMMSSZ`, the SigV4 timestamp. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function lowerCaseHeaders(headers: SignInput['headers']): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const key = name.toLowerCase();
    const values = [...(out[key] ?? []), ...(typeof value === 'string' ? [value] : value)];
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

function createSigner(input: SignInput): { signer: aws4.RequestSigner; origin: string; keepLength: boolean } {
  const { origin, host, pathAndQuery } = splitUrl(input.url);
  const headers = lowerCaseHeaders(input.headers);
  headers.host ??= host;
  if (input.date && !input.signQuery) headers['x-amz-date'] = amzDate(input.date);
  const ignore: Record<string, boolean> = {};
  for (const name of input.unsignedHeaders ?? []) ignore[name.toLowerCase()] = true;
  // Left to the HTTP client unless the caller set it, so a body changed after signing still gets a true length.
  const keepLength = headers['content-length'] !== undefined;
  if (!keepLength) ignore['content-length'] = true;
  const expires = input.signQuery && input.expiresIn !== undefined ? `X-Amz-Expires=${input.expiresIn}` : '';
  const path = expires ? `${pathAndQuery}${pathAndQuery.includes('?') ? '&' : '?'}${expires}` : pathAndQuery;
  const request: Aws4Request = {
    method: input.method,
    host,
    path,
    headers,
    service: input.service ?? 'execute-api',
    region: input.region,
    signQuery: input.signQuery ?? false,
    doNotEncodePath: input.singleEncodePath ?? false,
    extraHeadersToIgnore: ignore,
    ...(input.body !== undefined && { body: input.body }),
  };
  const signer = new aws4.RequestSigner(request, { ...input.credentials });
  if (input.date) signer.datetime = amzDate(input.date);
  if (input.scope) withScope(signer as ScopedSigner, input.scope, input.credentials.secretAccessKey);
  return { signer, origin, keepLength };
}

/** The methods of aws4's signer that make the credential scope. */
interface ScopedSigner {
  region: string;
  service: string;
  getDate(): string;
  stringToSign(): string;
  credentialString(): string;
  signature(): string;
}

function withScope(signer: ScopedSigner, scope: NonNullable<SignInput['scope']>, secret: string): void {
  const parts = () => [
    scope.date ?? signer.getDate(),
    signer.region,
    signer.service,
    scope.terminator ?? 'aws4_request',
  ];
  signer.credentialString = () => parts().join('/');
  signer.signature = () => {
    const key = parts().reduce<Buffer | string>((k, part) => hmac(k, part), `AWS4${secret}`);
    return createHmac('sha256', key).update(signer.stringToSign(), 'utf8').digest('hex');
  };
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function signRequest(input: SignInput): SignedRequest {
  const { signer, origin, keepLength } = createSigner(input);
  const signed = signer.sign();
  const headers: HeaderMap = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value : String(value);
  }
  if (!keepLength) delete headers['content-length'];
  return { method: input.method, url: `${origin}${signed.path}`, headers, body: input.body };
}

export interface SigningStrings {
  canonicalRequest: string;
  stringToSign: string;
}

/** What aws4 signs for this input: the canonical request and the string to sign. */
export function signingStrings(input: SignInput): SigningStrings {
  const { signer } = createSigner(input);
  return { canonicalRequest: signer.canonicalString(), stringToSign: signer.stringToSign() };
}
