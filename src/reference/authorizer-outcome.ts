/**
 * What an authorizer (JWT or Lambda-style) tells the gateway: let the request through with an
 * authorizer context, or answer with one of API Gateway's gateway responses. The gateway renders
 * a rejection through its gateway responses by `type`; `status`, `body` and `headers` are the
 * AWS defaults for this situation.
 */

export type AuthorizerRejectionType = 'UNAUTHORIZED' | 'ACCESS_DENIED' | 'AUTHORIZER_CONFIGURATION_ERROR';

export interface AuthorizerRejection {
  ok: false;
  type: AuthorizerRejectionType;
  status: 401 | 403 | 500;
  body: Record<string, string | null>;
  headers: Record<string, string>;
  /** Why, for logs and evidence; never holds the token. */
  reason: string;
}

export function rejection(
  type: AuthorizerRejectionType,
  body: Record<string, string | null>,
  reason: string,
  headers: Record<string, string> = {},
): AuthorizerRejection {
  const status = type === 'UNAUTHORIZED' ? 401 : type === 'ACCESS_DENIED' ? 403 : 500;
  return { ok: false, type, status, body, headers, reason };
}

/** The header prefix under which the gateway forwards `$context.authorizer.*` to the probe. */
export const AUTHORIZER_HEADER_PREFIX = 'x-gp-authorizer-';

/**
 * `$context.authorizer.<key>` as request headers for the integration: `x-gp-authorizer-<key>`,
 * the key lower-cased with anything outside [a-z0-9-] turned into `-` (so `principalId` becomes
 * `x-gp-authorizer-principalid` and `claims.sub` becomes `x-gp-authorizer-claims-sub`). Values
 * are percent-encoded outside printable ASCII, because a header cannot carry them.
 */
export function authorizerHeaders(context: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    const name = key.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    headers[`${AUTHORIZER_HEADER_PREFIX}${name}`] = value.replace(/[^\x20-\x7e]/gu, percentEncode);
  }
  return headers;
}

function percentEncode(char: string): string {
  try {
    return encodeURIComponent(char);
  } catch {
    return '%EF%BF%BD'; // a lone surrogate has no UTF-8 form: U+FFFD stands in for it
  }
}
