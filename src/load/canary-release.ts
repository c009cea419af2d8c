import { signRequest } from '../auth/sigv4-sign.js';
import { boundedExchange, parseJsonBody } from '../contract/bounded-exchange.js';
import type { Profile } from '../target/profile-schema.js';
import { ScenarioSetupError } from './target-requests.js';

type Release = NonNullable<Profile['release']>;

/** The canary a scenario deployed: its deployment id and share, and how to take it off again. */
export interface CanaryRelease {
  deploymentId: string;
  percentTraffic: number;
  remove(): Promise<void>;
}

/**
 * Deploys the draft API as a canary of the release API's main stage through API Gateway's control
 * plane (CreateDeployment with canarySettings), the way a release pipeline would; `remove` sends
 * the canary nothing and deletes it (UpdateStage: percentTraffic 0, remove /canarySettings).
 */
export async function deployCanary(profile: Profile, percentTraffic: number): Promise<CanaryRelease> {
  const release = profile.release;
  if (!release) throw new ScenarioSetupError("a canary scenario needs the profile's release section");
  const stage = release.stages.main;
  // A canary already there is someone's release: the scenario would replace it, then delete it.
  const current = await call(profile, release, 'GET', `/stages/${encodeURIComponent(stage)}`);
  if (current.status !== 200) throw new ScenarioSetupError(`GetStage ${stage} answered ${current.status}`);
  if ((current.json as { canarySettings?: unknown } | undefined)?.canarySettings !== undefined)
    throw new ScenarioSetupError(
      `stage ${stage} already has a canary: the scenario deploys and removes its own`,
    );
  const created = await call(profile, release, 'POST', '/deployments', {
    stageName: stage,
    description: 'gateproof canary-split',
    canarySettings: { percentTraffic, useStageCache: false },
  });
  if (created.status !== 201)
    throw new ScenarioSetupError(`CreateDeployment of the canary answered ${created.status}`);
  const deploymentId = (created.json as { id?: unknown } | undefined)?.id;
  if (typeof deploymentId !== 'string')
    throw new ScenarioSetupError('CreateDeployment answered no deployment id');
  return {
    deploymentId,
    percentTraffic,
    remove: async () => {
      const removed = await call(profile, release, 'PATCH', `/stages/${encodeURIComponent(stage)}`, {
        patchOperations: [
          { op: 'replace', path: '/canarySettings/percentTraffic', value: '0' },
          { op: 'remove', path: '/canarySettings' },
        ],
      });
      if (removed.status !== 200)
        throw new ScenarioSetupError(`removing the canary answered ${removed.status}`);
    },
  };
}

async function call(profile: Profile, release: Release, method: string, path: string, body?: unknown) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const signed = signRequest({
    method,
    url: `${release.controlPlane.replace(/\/+$/, '')}/restapis/${encodeURIComponent(release.restApiId)}${path}`,
    headers: text === undefined ? {} : { 'content-type': 'application/json' },
    ...(text === undefined ? {} : { body: text }),
    credentials: release.deployer,
    region: release.region,
    service: 'apigateway',
  });
  const res = await boundedExchange(signed.url, {
    method,
    headers: signed.headers,
    ...(text === undefined ? {} : { body: text }),
    timeoutMs: profile.timeoutMs,
  });
  return { status: res.status, json: parseJsonBody(res.body) };
}
