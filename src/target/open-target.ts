import { startReferenceStacksInWorker } from '../reference/stack-worker.js';
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

const isReference = (spec: string | undefined) =>
  spec === undefined || spec === 'reference' || spec === 'reference-http';

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
  const [target] = await openTargets([{ spec, options }]);
  return target as OpenTarget;
}

/**
 * Several targets at once, in order: the reference ones share one thread (see
 * startReferenceStacksInWorker), each still its own gateway. When one cannot be opened or reached,
 * the others are closed again and its error is thrown.
 */
export async function openTargets(
  requests: readonly { spec: string | undefined; options?: OpenTargetOptions }[],
): Promise<OpenTarget[]> {
  const references = requests.filter((r) => isReference(r.spec));
  // In a thread of their own, so that load scenarios never share an event loop with the gateway.
  const stacks = references.length
    ? await startReferenceStacksInWorker(
        references.map(({ spec, options = {} }) => ({
          ...(options.fault ? { fault: options.fault } : {}),
          ...(spec === 'reference-http' ? { mode: 'http' as const } : {}),
        })),
      )
    : [];
  let nextStack = 0;
  const opened = await Promise.allSettled(
    requests.map(({ spec, options = {} }) =>
      isReference(spec)
        ? Promise.resolve(stacks[nextStack++] as OpenTarget)
        : openOther(spec as string, options),
    ),
  );
  const targets = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  try {
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(
      targets.map((target, i) => {
        const strictness = requests[i]?.options?.profile;
        if (strictness) target.profile = { ...target.profile, profile: strictness };
        return checkReachable(target.profile);
      }),
    );
  } catch (err) {
    await Promise.all(targets.map((t) => t.close()));
    throw err;
  }
  return targets;
}

async function openOther(spec: string, options: OpenTargetOptions): Promise<OpenTarget> {
  if (STARTED[spec]) {
    if (options.fault) throw new UsageError('--fault applies to the reference gateway only');
    return STARTED[spec]({});
  }
  const profile = loadProfile(spec);
  if (options.fault) throw new UsageError('--fault applies to the reference gateway only');
  if (profile.kind === 'reference') {
    throw new UsageError(`${spec}: kind reference is started with --target reference, not from a profile`);
  }
  const start = STARTED[profile.kind];
  return start ? start({ profile }) : { profile, close: async () => {} };
}
