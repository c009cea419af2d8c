import type { Profile } from '../target/profile-schema.js';
import type { RequestSpec } from './dispatch-run.js';
import type { RequestTemplate, Scenario } from './scenario.js';
import { targetRequests } from './target-requests.js';

/**
 * A run's requests described as data, so a worker thread can rebuild the resolver that a function
 * cannot carry across: constant requests (one per template), or the scenario's templates against a
 * target profile (as targetRequests builds them).
 */
export type PortableRequests = { specs: RequestSpec[] } | { profile: Profile; runTag: string; seed?: number };

/**
 * The resolver of `requests` for one thread. Each thread draws its cache keys from a seed of its
 * own, so threads do not repeat one another's key sequence.
 */
export function portableResolver(
  requests: PortableRequests,
  scenario: Scenario,
  thread: number,
): (template: RequestTemplate, i: number) => RequestSpec {
  if ('specs' in requests) {
    const { specs } = requests;
    if (specs.length !== scenario.requests.length) {
      throw new Error(
        `requests.specs has ${specs.length} requests for ${scenario.requests.length} templates`,
      );
    }
    const byTemplate = new Map(scenario.requests.map((t, i) => [t, specs[i] as RequestSpec]));
    return (template) => byTemplate.get(template) as RequestSpec;
  }
  const seed = (requests.seed ?? 1) + thread * 7919;
  return targetRequests(scenario, requests.profile, requests.runTag, seed).resolveRequest;
}
