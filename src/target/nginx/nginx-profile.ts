import type { LocalFacts } from '../local-gateway.js';
import { defaultLocalProfile, resolveLocalProfile } from '../local-profile.js';
import type { Feature, Profile } from '../profile-schema.js';
import type { NginxInstall } from './nginx-binary.js';

/**
 * What the nginx configuration can honour, given the modules that load (the quota needs Lua, the
 * JWT authorizer njs). No SigV4 and no Lambda authorizer: stock nginx has neither, and a claim it
 * cannot keep would be a lie in the matrix. Unknown routes are refused as API Gateway refuses
 * them; request validation (no JSON Schema), mapping templates (no VTL), customized gateway
 * responses and X-Ray tracing are not claimed, so their cases show as unclaimed.
 * No `stages` or `canary`: one configuration is one deployment, with no stages to release to
 * and no control plane.
 */
export function nginxCapabilities(modules: NginxInstall['modules']): Feature[] {
  return [
    'apikey',
    'throttle',
    ...(modules.lua ? (['quota'] as const) : []),
    ...(modules.js ? (['jwt', 'jwt-rotation'] as const) : []),
    'cache',
    'cors',
    'cors-browser',
    'routes',
  ];
}

/** The profile `--target nginx` starts from; a profile file of kind nginx overrides any part. */
export function defaultNginxProfile(): Profile {
  return defaultLocalProfile('nginx', 'nginx');
}

/** The profile of a started nginx (see resolveLocalProfile): it claims what its modules allow. */
export function resolveNginxProfile(base: Profile, facts: LocalFacts & { install: NginxInstall }): Profile {
  return resolveLocalProfile(base, facts, {
    kind: 'nginx',
    vendor: 'nginx',
    version: facts.install.version,
    capabilities: nginxCapabilities(facts.install.modules),
  });
}
