import { signRequest } from '../auth/sigv4-sign.js';
import { NONCE_HEADER } from '../probe/protocol.js';
import type { Profile } from '../target/profile-schema.js';
import type { RequestSpec } from './engine.js';
import { keySampler } from './key-sampler.js';
import type { RequestTemplate, Scenario } from './scenario.js';

/** A scenario's request templates resolved against one target: where they go and what they send. */
export interface TargetRequests {
  /** The target's origin, the only place the engine sends to. */
  origin: string;
  resolveRequest: (template: RequestTemplate, i: number) => RequestSpec;
  /** The value of a template's k-th cache key, which is also its nonce at the probe under `originPerKey`. */
  keyValue: (k: number) => string;
}

/** Thrown when the profile lacks what a scenario needs: the scenario cannot run, through no fault of the target. */
export class ScenarioSetupError extends Error {
  override name = 'ScenarioSetupError';
}

type Headers = Record<string, string>;

/** Adds what makes a caller allowed to invalidate the cache, by the profile's means. */
function invalidatorAuth(scenario: Scenario, profile: Profile): (url: string, headers: Headers) => Headers {
  const cache = profile.cache;
  if (cache?.requireAuthorizationForCacheControl === false) return (_url, headers) => headers;
  if (cache?.invalidationHeaders) {
    const extra = cache.invalidationHeaders;
    return (_url, headers) => ({ ...headers, ...extra });
  }
  const credentials = cache?.invalidator ?? profile.sigv4;
  const region = cache?.invalidator?.region ?? profile.sigv4?.region;
  if (!credentials || !region) {
    throw new ScenarioSetupError(
      `scenario ${scenario.id} invalidates the cache: the profile needs cache.invalidator (with a region), sigv4 or cache.invalidationHeaders`,
    );
  }
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  return (url, headers) => {
    const signed = signRequest({
      method: 'GET',
      url,
      headers,
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
      region,
    });
    const out: Headers = {};
    for (const [name, value] of Object.entries(signed.headers)) {
      out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return out;
  };
}

function apiKeyHeader(scenario: Scenario, profile: Profile, which: RequestTemplate['apiKey']): Headers {
  if (!which) return {};
  const value = profile.apiKeys?.[which];
  if (!value) throw new ScenarioSetupError(`scenario ${scenario.id} needs apiKeys.${which} in the profile`);
  return { 'x-api-key': value };
}

/** The probe nonce of a run's release requests. */
export function releaseNonce(runTag: string): string {
  return `gp-${runTag}-release`;
}

function releaseOf(scenario: Scenario, profile: Profile): NonNullable<Profile['release']> {
  if (!profile.release)
    throw new ScenarioSetupError(`scenario ${scenario.id} needs the profile's release section`);
  return profile.release;
}

/**
 * Turns each template into a function of the request index. A template without cache keys or
 * signing resolves to one constant request, which the engine then validates only once.
 */
export function targetRequests(
  scenario: Scenario,
  profile: Profile,
  runTag: string,
  seed = 1,
): TargetRequests {
  const release = scenario.requests.some((t) => t.route === 'release')
    ? releaseOf(scenario, profile)
    : undefined;
  const base = new URL(release?.baseUrl ?? profile.baseUrl);
  const stage = release ? release.stages.main : profile.stage;
  const prefix = `${base.pathname.replace(/\/+$/, '')}${stage ? `/${stage}` : ''}`;
  const routes: Record<RequestTemplate['route'], string> = { ...profile.routes, release: '/release' };
  const keyValue = (k: number) => `gp-${runTag}-${k}`;
  const perKeyNonce = scenario.options?.originPerKey === true;
  const resolvers = new Map<RequestTemplate, (i: number) => RequestSpec>();
  scenario.requests.forEach((template, index) => {
    const path = `${prefix}${routes[template.route]}`;
    const headers: Headers = {
      ...template.headers,
      ...apiKeyHeader(scenario, profile, template.apiKey),
    };
    const sign = template.role === 'invalidator' ? invalidatorAuth(scenario, profile) : undefined;
    const draw = template.keys ? keySampler(template.keys, seed + index) : undefined;
    const keys = template.keys;
    if (!draw || !keys) {
      // A release request carries the run's nonce: the probe counts the run's requests by deployment.
      const nonce: Record<string, string> = template.route === 'release' ? { gpn: releaseNonce(runTag) } : {};
      const query = new URLSearchParams({ ...template.query, ...nonce }).toString();
      const target = query ? `${path}?${query}` : path;
      const constant: RequestSpec = { method: template.method ?? 'GET', path: target, headers };
      resolvers.set(
        template,
        sign ? () => ({ ...constant, headers: sign(`${base.origin}${target}`, headers) }) : () => constant,
      );
      return;
    }
    resolvers.set(template, () => {
      const key = keyValue(draw());
      const query = new URLSearchParams({ ...template.query, [keys.param]: key }).toString();
      const target = `${path}?${query}`;
      const keyed = perKeyNonce ? { ...headers, [NONCE_HEADER]: key } : headers;
      return {
        method: template.method ?? 'GET',
        path: target,
        headers: sign ? sign(`${base.origin}${target}`, keyed) : keyed,
      };
    });
  });
  return {
    origin: base.origin,
    resolveRequest: (template, i) => (resolvers.get(template) as (i: number) => RequestSpec)(i),
    keyValue,
  };
}
