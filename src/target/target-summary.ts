import type { Results } from '../results/model.js';
import { withoutUserinfo } from '../results/redact.js';
import type { Profile } from './profile-schema.js';

/** What a results file says about its target: the profile less its routes and secrets. */
export function targetSummary(profile: Profile): Results['target'] {
  return {
    name: profile.name,
    kind: profile.kind,
    vendor: profile.vendor,
    version: profile.version,
    mode: profile.mode,
    baseUrl: withoutUserinfo(profile.baseUrl),
    profile: profile.profile,
    features: { declared: profile.features, detected: [] },
  };
}
