import { randomBytes } from 'node:crypto';
import { type Issuer, startIssuer } from '../auth/oidc-issuer.js';
import { UsageError } from '../usage-error.js';
import { LOOPBACK } from './loopback-port.js';
import type { Profile } from './profile-schema.js';

type Jwt = NonNullable<Profile['jwt']>;

/**
 * gateproof's own OIDC issuer, which a gateway gateproof starts is configured to trust, with its
 * mint API so the suites can have tokens signed without ever holding its keys.
 */
export async function startBuiltinIssuer(
  jwt: Jwt,
  gateway: string,
): Promise<{ issuer: Issuer; profile: Jwt }> {
  if (jwt.issuer !== 'builtin') {
    throw new UsageError(`jwt.issuer: ${gateway} trusts gateproof's built-in issuer only ("builtin")`);
  }
  const secret = randomBytes(32).toString('base64url');
  const issuer = await startIssuer({
    host: LOOPBACK,
    audience: jwt.audience,
    ...(jwt.scopes.length ? { scope: jwt.scopes.join(' ') } : {}),
    mintSecret: secret,
  });
  return {
    issuer,
    profile: {
      issuer: issuer.issuerUrl,
      audience: jwt.audience,
      scopes: jwt.scopes,
      mint: { url: issuer.issuerUrl, secret },
    },
  };
}
