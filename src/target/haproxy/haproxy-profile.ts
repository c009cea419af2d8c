import type { LocalFacts } from '../local-gateway.js';
import { defaultLocalProfile, resolveLocalProfile } from '../local-profile.js';
import type { Feature, Profile } from '../profile-schema.js';
import type { HaproxyInstall } from './haproxy-binary.js';

/**
 * What the HAProxy configuration can honour. Its JWT check verifies against public keys written
 * out when it starts: a key the issuer publishes later is unknown to it, so no `jwt-rotation`. No
 * SigV4 and no Lambda authorizer: HAProxy has neither without custom Lua. Unknown routes are
 * refused as API Gateway refuses them; request validation, mapping templates, customized gateway
 * responses and X-Ray tracing are API Gateway's own, with nothing in HAProxy to express them.
 * No `stages` or `canary`: one configuration is one deployment, with no stages to release to
 * and no control plane.
 */
export function haproxyCapabilities(install: Pick<HaproxyInstall, 'jwt'>): Feature[] {
  return [
    'apikey',
    'throttle',
    'quota',
    ...(install.jwt ? (['jwt'] as const) : []),
    'cache',
    'cors',
    'cors-browser',
    'routes',
  ];
}

/** The profile `--target haproxy` starts from; a profile file of kind haproxy overrides any part. */
export function defaultHaproxyProfile(): Profile {
  return { ...defaultLocalProfile('haproxy', 'haproxy'), limiter: 'sliding-window' };
}

/** The profile of a started HAProxy (see resolveLocalProfile). Its throttle is a sliding window. */
export function resolveHaproxyProfile(
  base: Profile,
  facts: LocalFacts & { install: HaproxyInstall },
): Profile {
  return {
    ...resolveLocalProfile(base, facts, {
      kind: 'haproxy',
      vendor: 'haproxy',
      version: facts.install.version,
      capabilities: haproxyCapabilities(facts.install),
    }),
    limiter: 'sliding-window',
  };
}
