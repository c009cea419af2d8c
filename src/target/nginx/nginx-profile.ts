import { freshKeys, secretValue } from '../fresh-keys.js';
import type { Feature, Profile } from '../profile-schema.js';
import { profileSchema } from '../profile-schema.js';
import { corsWithPages, REFERENCE_SETTINGS } from '../target-support.js';
import type { NginxInstall } from './nginx-binary.js';

/**
 * What the nginx configuration can honour, given the modules that load (the quota needs Lua, the
 * JWT authorizer njs). No SigV4 and no Lambda authorizer: stock nginx has neither, and a claim it
 * cannot keep would be a lie in the matrix.
 */
export function nginxCapabilities(modules: NginxInstall['modules']): Feature[] {
  return [
    'apikey',
    'throttle',
    ...(modules.lua ? (['quota'] as const) : []),
    ...(modules.js ? (['jwt'] as const) : []),
    'cache',
    'cors',
    'cors-browser',
  ];
}

/** The profile `--target nginx` starts from; a profile file of kind nginx overrides any part. */
export function defaultNginxProfile(): Profile {
  return profileSchema.parse({
    name: 'nginx',
    kind: 'nginx',
    vendor: 'nginx',
    baseUrl: 'http://127.0.0.1:0',
    stage: 'test',
    profile: 'generic',
    // The reference gateway's plans: a generous plan throttle, and a method throttle on the
    // route the load scenarios measure.
    plans: {
      default: { throttle: { rateLimit: 1000, burstLimit: 500 } },
      tinyQuota: { quota: { limit: 5, period: 'DAY' } },
      throttled: { throttle: { rateLimit: 200, burstLimit: 100 } },
    },
    ...REFERENCE_SETTINGS,
    cache: {
      ttlSeconds: 300,
      shortTtlSeconds: 2,
      keyParameters: ['id'],
      requireAuthorizationForCacheControl: true,
    },
  });
}

export interface NginxFacts {
  baseUrl: string;
  probeUrl: string;
  install: NginxInstall;
  /** Loopback origins serving gateproof's browser page: the first is allowed, the second is not. */
  pages?: { allowed: string; disallowed: string };
  /** The built-in issuer nginx trusts, and its mint API for the suites. */
  jwt?: NonNullable<Profile['jwt']>;
}

/**
 * The profile of a started nginx: where it listens, its probe, the keys it was configured with
 * (fresh ones when the profile names none), and the features it claims: those asked for (all
 * when none are) that this nginx can honour. The browser CORS cases need page origins, and an
 * invalidation needs a right to invalidate: both are made here when the profile has none.
 */
export function resolveNginxProfile(base: Profile, facts: NginxFacts): Profile {
  const defaults = defaultNginxProfile();
  const capable = nginxCapabilities(facts.install.modules).filter(
    (f) => (f !== 'cors-browser' || facts.pages) && (f !== 'jwt' || facts.jwt),
  );
  const asked = base.features.length > 0 ? base.features : capable;
  const cache = base.cache ?? defaults.cache!;
  const cors = base.cors ?? defaults.cors!;
  return {
    ...base,
    kind: 'nginx',
    vendor: 'nginx',
    version: facts.install.version,
    baseUrl: facts.baseUrl,
    probe: { url: facts.probeUrl },
    features: asked.filter((f) => capable.includes(f)),
    apiKeys: base.apiKeys ?? freshKeys(),
    plans: {
      default: base.plans.default ?? defaults.plans.default,
      tinyQuota: base.plans.tinyQuota ?? defaults.plans.tinyQuota,
      throttled: base.plans.throttled ?? defaults.plans.throttled,
    },
    ...(facts.jwt ? { jwt: facts.jwt } : {}),
    cache:
      cache.requireAuthorizationForCacheControl && !cache.invalidationHeaders
        ? { ...cache, invalidationHeaders: { [INVALIDATION_HEADER]: secretValue() } }
        : cache,
    cors: corsWithPages(cors, facts),
  };
}

/** nginx has no IAM: the right to invalidate a cache entry is this header with a secret value. */
export const INVALIDATION_HEADER = 'x-gateproof-invalidate';
