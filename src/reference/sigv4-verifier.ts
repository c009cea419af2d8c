import { createHash, timingSafeEqual } from 'node:crypto';
import { evaluatePolicy, type IamPolicy } from './iam-policy.js';
import {
  type CanonicalRelaxations,
  canonicalRequest,
  headerValues,
  parseQuery,
  type QueryPairs,
  type ReceivedHeaders,
  sha256Hex,
  signature,
  stringToSign,
} from './sigv4-canonical.js';

/**
 * API Gateway's IAM authorization (SigV4) for the reference gateway: the header form and the
 * presigned query form, a 5-minute clock skew either way, the credential scope, session tokens, and
 * the caller's identity policy, each failure answered with AWS's own error type and message.
 */

export interface SignedRequestInput {
  method: string;
  /** The path from the request line, still percent-encoded. */
  path: string;
  /** The query from the request line without `?`; empty when there is none. */
  query: string;
  /** As received, names in any case; repeated headers keep every value in order (Node's `req.headersDistinct`). */
  headers: ReceivedHeaders;
  body: Uint8Array;
}

export interface StoredCredential {
  secretAccessKey: string;
  /** Temporary credentials: the token must then come with every request, and match. */
  sessionToken?: string;
  /** `arn:aws:iam::123456789012:user/NAME` */
  arn: string;
  policy: IamPolicy;
}

/** By access key id. */
export type CredentialStore = ReadonlyMap<string, StoredCredential>;

/** Checks a faulty gateway skips, each one a promise the suites must catch being broken. */
export interface SigV4Relaxations {
  /** Take the payload hash from `x-amz-content-sha256` instead of hashing the body. */
  trustPayloadHashHeader?: boolean;
  /** Accept any signing time, however old or far ahead. */
  ignoreClockSkew?: boolean;
  /** Accept a credential scoped to any region. */
  anyRegion?: boolean;
  /** Accept a credential scoped to any service. */
  anyService?: boolean;
  /** Accept a SignedHeaders list without `host`. */
  hostOptional?: boolean;
  /** Never look at `X-Amz-Security-Token`, whether the credential is temporary or not. */
  ignoreSessionToken?: boolean;
  /** Compute the signature but never compare it with the one sent. */
  skipSignatureCheck?: boolean;
  /** The clock skew allowed either way, instead of 5 minutes. */
  skewMs?: number;
  /** Hold a presigned URL to the clock skew rather than to its X-Amz-Expires. */
  presignedExpiryAsSkew?: boolean;
  /** Hold a presigned URL to the clock skew as well as to its X-Amz-Expires. */
  presignedSkewEnforced?: boolean;
  /** Never compare the credential scope's date with the signing time. */
  scopeDateUnchecked?: boolean;
  /** Accept any terminator in the credential scope, and derive the key with it. */
  anyTerminator?: boolean;
  /** Compare the scope's region and service without regard to case. */
  scopeCaseInsensitive?: boolean;
  /** Another service whose scope is accepted too (a verifier shared with the control plane). */
  alsoService?: string;
  /** Check X-Amz-Security-Token only for temporary credentials, ignoring one sent with a long-term key. */
  tokenOnlyForTemporary?: boolean;
  /** Compare session tokens on this many leading characters only. */
  tokenComparedChars?: number;
  /** Accept a signature that is a prefix (of at least half) of the expected one. */
  signaturePrefix?: boolean;
  /** How the canonical request is built wrong (see CanonicalRequestParts.relax). */
  canonical?: CanonicalRelaxations;
}

export interface SigV4VerifierConfig {
  credentials: CredentialStore;
  region: string;
  /** Default `execute-api`. */
  service?: string;
  /** Milliseconds since the epoch. */
  now: () => number;
  relax?: SigV4Relaxations;
}

/** Each way a request can fail, with the `x-amzn-ErrorType` AWS answers it with. */
export const SIGV4_ERROR_TYPES = {
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  INCOMPLETE_SIGNATURE: 'IncompleteSignatureException',
  INVALID_SIGNATURE: 'InvalidSignatureException',
  SIGNATURE_EXPIRED: 'InvalidSignatureException',
  SIGNATURE_NOT_YET_CURRENT: 'InvalidSignatureException',
  INVALID_REGION: 'InvalidSignatureException',
  INVALID_SERVICE: 'InvalidSignatureException',
  UNRECOGNIZED_CLIENT: 'UnrecognizedClientException',
  ACCESS_DENIED: 'AccessDeniedException',
} as const;
export type SigV4FailureType = keyof typeof SIGV4_ERROR_TYPES;

export interface SigV4Failure {
  ok: false;
  type: SigV4FailureType;
  status: 403;
  errorType: (typeof SIGV4_ERROR_TYPES)[SigV4FailureType];
  message: string;
}

export interface SigV4Principal {
  accessKeyId: string;
  arn: string;
  /** For later decisions on the same caller, such as `execute-api:InvalidateCache`. */
  policy: IamPolicy;
}

export interface SigV4Success {
  ok: true;
  principal: SigV4Principal;
  /** Where the signature was: the gateway strips `Authorization` before the integration. */
  form: 'header' | 'query';
}

export type SigV4Verdict = SigV4Success | SigV4Failure;

export type SigV4Verifier = (request: SignedRequestInput, methodArn?: string) => SigV4Verdict;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SKEW_MS = 5 * 60_000;
const MAX_EXPIRES_S = 604_800;
const BASIC_TIMESTAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function fail(type: SigV4FailureType, message: string): SigV4Failure {
  return { ok: false, type, status: 403, errorType: SIGV4_ERROR_TYPES[type], message };
}

/** What the request says about its own signature, before any of it is believed. */
interface Claim {
  form: 'header' | 'query';
  credential: string;
  signedHeaders: string;
  signature: string;
  /** The signing time as sent, and whether it came from `Date` (an HTTP date) rather than `X-Amz-Date`. */
  timestamp: string;
  fromDateHeader: boolean;
  expires?: string;
  token?: string;
}

function toTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function parseTimestamp(value: string, fromDateHeader: boolean): number | undefined {
  if (fromDateHeader) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const m = BASIC_TIMESTAMP.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 20150231 over into March; only a date that survives the round trip is real.
  return toTimestamp(ms) === value ? ms : undefined;
}

/** AWS echoes the Authorization header; only its scheme is echoed here, the rest may be a secret. */
function maskAuthorization(value: string): string {
  const scheme = /^(\S+)\s/.exec(value);
  return scheme ? `${scheme[1]} …` : '…';
}

function readHeaderForm(authorization: string, headers: Map<string, string[]>): Claim | SigV4Failure {
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  const params = new Map<string, string>();
  if (scheme === ALGORITHM) {
    for (const piece of authorization.slice(space + 1).split(',')) {
      const eq = piece.indexOf('=');
      if (eq > 0) params.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
    }
  }
  const amzDate = headers.get('x-amz-date')?.[0];
  const date = headers.get('date')?.[0];
  const missing = [
    params.get('Credential') ? '' : "Authorization header requires 'Credential' parameter.",
    params.get('Signature') ? '' : "Authorization header requires 'Signature' parameter.",
    params.get('SignedHeaders') ? '' : "Authorization header requires 'SignedHeaders' parameter.",
    (amzDate ?? date)
      ? ''
      : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  ].filter(Boolean);
  if (missing.length > 0) {
    return fail(
      'INCOMPLETE_SIGNATURE',
      `${missing.join(' ')} Authorization=${maskAuthorization(authorization)}`,
    );
  }
  return {
    form: 'header',
    credential: params.get('Credential')!,
    signedHeaders: params.get('SignedHeaders')!,
    signature: params.get('Signature')!,
    timestamp: (amzDate ?? date)!,
    fromDateHeader: amzDate === undefined,
    token: headers.get('x-amz-security-token')?.[0],
  };
}

const QUERY_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-SignedHeaders',
  'X-Amz-Date',
];

function readQueryForm(query: QueryPairs): Claim | SigV4Failure {
  const get = (name: string) => query.find(([n]) => n === name)?.[1];
  const missing = QUERY_PARAMS.filter((name) => !get(name));
  if (missing.length > 0) {
    const clauses = missing.map((name) => `AWS query-string parameters must include '${name}'.`);
    return fail('INCOMPLETE_SIGNATURE', `${clauses.join(' ')} Re-examine the query-string parameters.`);
  }
  if (get('X-Amz-Algorithm') !== ALGORITHM) {
    return fail('INCOMPLETE_SIGNATURE', `X-Amz-Algorithm only supports '${ALGORITHM}'`);
  }
  return {
    form: 'query',
    credential: get('X-Amz-Credential')!,
    signedHeaders: get('X-Amz-SignedHeaders')!,
    signature: get('X-Amz-Signature')!,
    timestamp: get('X-Amz-Date')!,
    fromDateHeader: false,
    expires: get('X-Amz-Expires'),
    token: get('X-Amz-Security-Token'),
  };
}

/** Constant time whatever the lengths: digests of equal length are compared, never the raw strings. */
function safeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function checkTime(
  claim: Claim,
  signedAt: number,
  now: number,
  relax: SigV4Relaxations,
): SigV4Failure | undefined {
  const when = toTimestamp(signedAt);
  const skew = relax.skewMs ?? SKEW_MS;
  if (signedAt > now + skew) {
    return fail(
      'SIGNATURE_NOT_YET_CURRENT',
      `Signature not yet current: ${when} is still later than ${toTimestamp(now + SKEW_MS)} (${toTimestamp(now)} + 5 min.)`,
    );
  }
  if (relax.presignedSkewEnforced && claim.expires !== undefined && signedAt < now - skew) {
    return fail(
      'SIGNATURE_EXPIRED',
      `Signature expired: ${when} is now earlier than ${toTimestamp(now - skew)}`,
    );
  }
  if (claim.expires !== undefined && !relax.presignedExpiryAsSkew) {
    if (!/^\d+$/.test(claim.expires)) return fail('INCOMPLETE_SIGNATURE', 'X-Amz-Expires should be a number');
    const seconds = Number(claim.expires);
    if (seconds > MAX_EXPIRES_S) {
      return fail(
        'INCOMPLETE_SIGNATURE',
        `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_S}`,
      );
    }
    if (now > signedAt + seconds * 1000) {
      return fail(
        'SIGNATURE_EXPIRED',
        `Signature expired: ${when} is now earlier than ${toTimestamp(now - seconds * 1000)} (${toTimestamp(now)} - ${seconds} sec.)`,
      );
    }
    return undefined;
  }
  if (signedAt < now - skew) {
    return fail(
      'SIGNATURE_EXPIRED',
      `Signature expired: ${when} is now earlier than ${toTimestamp(now - SKEW_MS)} (${toTimestamp(now)} - 5 min.)`,
    );
  }
  return undefined;
}

export function createSigV4Verifier(config: SigV4VerifierConfig): SigV4Verifier {
  const service = config.service ?? 'execute-api';
  const relax = config.relax ?? {};

  return (request, methodArn) => {
    const headers = headerValues(request.headers);
    const query = parseQuery(request.query);
    // Node keeps only the first of repeated Authorization headers; so does the gateway.
    const authorization = headers.get('authorization')?.[0]?.trim() || undefined;
    const presigned = query.some(([name]) => QUERY_PARAMS.includes(name));
    if (authorization === undefined && !presigned) {
      return fail('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');
    }
    if (authorization !== undefined && presigned) {
      return fail(
        'INCOMPLETE_SIGNATURE',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
      );
    }
    const claim = authorization !== undefined ? readHeaderForm(authorization, headers) : readQueryForm(query);
    if ('ok' in claim) return claim;

    if (!relax.hostOptional && !claim.signedHeaders.toLowerCase().split(';').includes('host')) {
      return fail(
        'INVALID_SIGNATURE',
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      );
    }

    const signedAt = parseTimestamp(claim.timestamp, claim.fromDateHeader);
    if (signedAt === undefined) {
      return fail(
        'INCOMPLETE_SIGNATURE',
        `Date must be in ISO-8601 'basic format'. Got '${claim.timestamp}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      );
    }
    // Time before scope and key: an old request, such as a replayed test vector, is told it expired.
    const late = relax.ignoreClockSkew ? undefined : checkTime(claim, signedAt, config.now(), relax);
    if (late) return late;

    const scope = claim.credential.split('/');
    if (scope.length !== 5) {
      return fail(
        'INCOMPLETE_SIGNATURE',
        'Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term',
      );
    }
    const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator] = scope as [
      string,
      string,
      string,
      string,
      string,
    ];
    const timestamp = toTimestamp(signedAt);
    if (terminator !== 'aws4_request' && !relax.anyTerminator) {
      return fail(
        'INVALID_SIGNATURE',
        `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
      );
    }
    const same = (a: string, b: string) =>
      relax.scopeCaseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
    if (!same(scopeRegion, config.region) && !relax.anyRegion) {
      return fail('INVALID_REGION', `Credential should be scoped to a valid region, not '${scopeRegion}'. `);
    }
    const services = relax.alsoService ? [service, relax.alsoService] : [service];
    if (!services.some((s) => same(scopeService, s)) && !relax.anyService) {
      return fail('INVALID_SERVICE', `Credential should be scoped to correct service: '${service}'. `);
    }
    if (scopeDate !== timestamp.slice(0, 8) && !relax.scopeDateUnchecked) {
      return fail(
        'INVALID_SIGNATURE',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${timestamp.slice(0, 8)}', from '${timestamp}'.`,
      );
    }

    const credential = config.credentials.get(accessKeyId);
    if (!credential) return fail('UNRECOGNIZED_CLIENT', INVALID_TOKEN);
    const width = relax.tokenComparedChars;
    const tokenOk =
      credential.sessionToken === undefined
        ? claim.token === undefined || relax.tokenOnlyForTemporary === true
        : claim.token !== undefined &&
          (width === undefined
            ? safeEqual(claim.token, credential.sessionToken)
            : safeEqual(claim.token.slice(0, width), credential.sessionToken.slice(0, width)));
    if (!tokenOk && !relax.ignoreSessionToken) return fail('UNRECOGNIZED_CLIENT', INVALID_TOKEN);

    const bodyHash = sha256Hex(request.body);
    const declaredHash = headers.get('x-amz-content-sha256')?.[0];
    if (declaredHash !== undefined && declaredHash !== bodyHash && !relax.trustPayloadHashHeader) {
      return fail(
        'INVALID_SIGNATURE',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    const canonical = canonicalRequest({
      method: request.method,
      rawPath: request.path,
      query,
      ...(claim.form === 'query' && { excludeFromQuery: 'X-Amz-Signature' }),
      headers,
      signedHeaders: claim.signedHeaders,
      payloadHash: relax.trustPayloadHashHeader && declaredHash !== undefined ? declaredHash : bodyHash,
      ...(relax.canonical && { relax: relax.canonical }),
    });
    const scopeString = scope.slice(1).join('/');
    const expected = signature(
      credential.secretAccessKey,
      {
        date: scopeDate,
        region: scopeRegion,
        service: scopeService,
        ...(relax.anyTerminator && { terminator }),
      },
      stringToSign(timestamp, scopeString, canonical),
    );
    const prefixOk =
      relax.signaturePrefix === true &&
      claim.signature.length >= expected.length / 2 &&
      expected.startsWith(claim.signature);
    if (!safeEqual(claim.signature, expected) && !prefixOk && !relax.skipSignatureCheck) {
      return fail('INVALID_SIGNATURE', MISMATCH);
    }

    const principal = { accessKeyId, arn: credential.arn, policy: credential.policy };
    if (methodArn !== undefined) {
      const decision = evaluatePolicy(credential.policy, 'execute-api:Invoke', methodArn);
      const denied = `User: ${credential.arn} is not authorized to perform: execute-api:Invoke on resource: ${methodArn}`;
      if (decision === 'deny') return fail('ACCESS_DENIED', `${denied} with an explicit deny`);
      if (decision === 'implicit-deny') {
        return fail(
          'ACCESS_DENIED',
          `${denied} because no identity-based policy allows the execute-api:Invoke action`,
        );
      }
    }
    return { ok: true, principal, form: claim.form };
  };
}
