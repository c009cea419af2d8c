import { startReferenceStackInWorker } from '../reference/stack-worker.js';
import { UsageError } from '../usage-error.js';
import { startHaproxyTarget } from './haproxy/haproxy-target.js';
import { loadProfile } from './load-profile.js';
import { startNginxTarget } from './nginx/nginx-target.js';
import type { Profile } from './profile-schema.js';
import { checkReachable } from './reachability.js';
import { startSlsTarget } from './serverless-offline/sls-target.js';

/** A target ready to be tested: its resolved profile, and how to stop it when gateproof started it. */
export interface OpenTarget {
  profile: Profile;
  close(): Promise<void>;
}

export interface OpenTargetOptions {
  fault?: string;
  profile?: 'aws' | 'generic';
}

/** The gateways gateproof configures and starts itself, by the kind a profile names. */
const STARTED: Record<string, (options: { profile?: Profile }) => Promise<OpenTarget>> = {
  nginx: startNginxTarget,
  haproxy: startHaproxyTarget,
  'serverless-offline': startSlsTarget,
};

/**
 * `reference` (or nothing) starts the embedded reference gateway and probe on loopback; `nginx`,
 * `haproxy` and `serverless-offline` start that gateway in front of a probe, configured from its
 * default profile; a file names a profile (one of those kinds starts that gateway configured from
 * it). Either way the target must answer HTTP before any case runs, so an unreachable gateway is
 * one line and exit code 2 rather than a table of failed cases.
 */
export async function openTarget(
  spec: string | undefined,
  options: OpenTargetOptions = {},
): Promise<OpenTarget> {
  let target: OpenTarget;
  if (spec === undefined || spec === 'reference' || spec === 'reference-http') {
    // In a thread of its own, so that load scenarios never share an event loop with the gateway.
    target = await startReferenceStackInWorker({
      ...(options.fault ? { fault: options.fault } : {}),
      ...(spec === 'reference-http' ? { mode: 'http' as const } : {}),
    });
  } else if (STARTED[spec]) {
    if (options.fault) throw new UsageError('--fault applies to the reference gateway only');
    target = await STARTED[spec]({});
  } else {
    const profile = loadProfile(spec);
    if (options.fault) throw new UsageError('--fault applies to the reference gateway only');
    if (profile.kind === 'reference') {
      throw new UsageError(`${spec}: kind reference is started with --target reference, not from a profile`);
    }
    const start = STARTED[profile.kind];
    target = start ? await start({ profile }) : { profile, close: async () => {} };
  }
  if (options.profile) target.profile = { ...target.profile, profile: options.profile };
  try {
    await checkReachable(target.profile);
  } catch (err) {
    await target.close();
    throw err;
  }
  return target;
}
