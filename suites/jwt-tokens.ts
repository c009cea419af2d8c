import { type Attacker, startAttacker } from '../src/auth/jwt-attacker.js';
import type { TokenIssuer } from '../src/auth/oidc-issuer.js';
import { connectIssuer } from '../src/auth/remote-issuer.js';
import { SetupFailure } from '../src/run/case-meta.js';
import type { Profile } from '../src/target/profile-schema.js';

/**
 * Tokens for the JWT suite, one set per Playwright worker: the issuer reached through its mint
 * API, one valid token minted at first use (the token every attack is made from, and that must
 * still work after all of them), and the attacker's loopback server for jku and x5u.
 */

let issuer: Promise<TokenIssuer> | undefined;
let valid: Promise<string> | undefined;
let attacker: Promise<Attacker> | undefined;

export function tokenIssuer(target: Profile): Promise<TokenIssuer> {
  const jwt = target.jwt;
  if (!jwt) throw new SetupFailure('the profile has no jwt section');
  if (!jwt.mint || jwt.issuer === 'builtin') {
    throw new SetupFailure('the profile gives no issuer mint API (jwt.mint): no token can be made');
  }
  issuer ??= connectIssuer({
    issuerUrl: jwt.issuer,
    audience: jwt.audience,
    mintUrl: jwt.mint.url,
    secret: jwt.mint.secret,
    timeoutMs: target.timeoutMs,
  });
  return issuer;
}

/** A token holding the route's scopes, minted once per worker. */
export function validToken(target: Profile): Promise<string> {
  valid ??= tokenIssuer(target).then((i) => i.mint(scopeClaim(target)));
  return valid;
}

/** The profile's scopes as the `scope` claim; the issuer's default when the profile names none. */
export function scopeClaim(target: Profile): Record<string, unknown> {
  const scopes = target.jwt?.scopes ?? [];
  return scopes.length ? { scope: scopes.join(' ') } : {};
}

export function attackerServer(): Promise<Attacker> {
  attacker ??= startAttacker();
  return attacker;
}

export async function closeAttacker(): Promise<void> {
  const started = attacker;
  attacker = undefined;
  if (started) await (await started).close();
}
