import { randomBytes } from 'node:crypto';
import type { Feature, Profile } from '../profile-schema.js';
import { profileSchema } from '../profile-schema.js';
import type { NginxInstall } from './nginx-binary.js';

const QUOTA_KEYS = 10;
const ALPHANUMERIC = /^[A-Za-z0-9]+$/;

/**
 * What the nginx configuration can honour, given the modules that load. No SigV4 and no Lambda
 * authorizer: stock nginx has neither, and a claim it cannot keep would be a lie in the matrix.
 */
export function nginxCapabilities(modules: NginxInstall['modules']): Feature[] {
  return ['apikey', 'throttle', ...(modules.lua ? (['quota'] as const) : []), 'cache', 'cors'];
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
    plans: {
      // The same limits the reference gateway puts on the route the load scenarios measure.
      default: { throttle: { rateLimit: 200, burstLimit: 100 } },
      tinyQuota: { quota: { limit: 5, period: 'DAY' } },
    },
    cache: { ttlSeconds: 300, keyParameters: ['id'], requireAuthorizationForCacheControl: false },
    cors: {
      allowOrigins: ['https://app.gateproof.test'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['content-type', 'x-api-key'],
      exposeHeaders: ['x-gp-version'],
      maxAge: 600,
    },
  });
}

export interface NginxFacts {
  baseUrl: string;
  probeUrl: string;
  install: NginxInstall;
}

/**
 * The profile of a started nginx: where it listens, its probe, the keys it was configured with
 * (fresh ones when the profile names none), and the features it claims: those asked for (all
 * when none are) that this nginx can honour.
 */
export function resolveNginxProfile(base: Profile, facts: NginxFacts): Profile {
  const defaults = defaultNginxProfile();
  const capable = nginxCapabilities(facts.install.modules);
  const asked = base.features.length > 0 ? base.features : capable;
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
    },
    cache: base.cache ?? defaults.cache,
    cors: base.cors ?? defaults.cors,
  };
}

function freshKeys(): NonNullable<Profile['apiKeys']> {
  return {
    valid: apiKey(),
    other: apiKey(),
    disabled: apiKey(),
    otherStage: apiKey(),
    quota: Array.from({ length: QUOTA_KEYS }, apiKey),
    quotaPair: [apiKey(), apiKey()],
  };
}

/**
 * 40 letters and digits holding both cases, so a wrongly-cased copy of a key is a different key
 * (the quota and header cases rely on it).
 */
function apiKey(): string {
  for (;;) {
    const value = randomBytes(40).toString('base64').replace(/[+/=]/g, '').slice(0, 40);
    if (value.length === 40 && ALPHANUMERIC.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value)) {
      return value;
    }
  }
}
