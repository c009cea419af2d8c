import { fileURLToPath } from 'node:url';
import { freshCredentials } from '../auth/fresh-credentials.js';
import { loadContract } from '../contract/load-contract.js';
import type { Feature, ProfileInput } from '../target/profile-schema.js';
import { apiModel } from './api-model.js';
import type { Clock } from './clock.js';
import type { ApiKey, IamCredential, Throttle, UsagePlanConfig } from './config.js';
import { type ControlPlane, startControlPlane } from './control-plane.js';
import { ReleaseApi } from './deployments.js';
import type { FaultName } from './faults.js';
import { listenGateway, type ReferenceGateway } from './server.js';
import { ReleaseStages } from './stages.js';

/**
 * The reference stack's release API: one REST API on two stages, `prod` and `beta`, each with its
 * own variables (the integration's backend, a colour its mapping template sends), cache and
 * usage-plan membership, served on a port of its own, and the control plane that deploys it.
 */

export const RELEASE_CONTRACT_FILE = fileURLToPath(
  new URL('../../../src/contract/release-api.yaml', import.meta.url),
);
const REST_API_ID = 'gprelease';
const MAIN = 'prod';
const OTHER = 'beta';
const CACHE_TTL_SECONDS = 300;
/** Low, so a few requests in a row show it. */
const THROTTLE: Throttle = { rateLimit: 1, burstLimit: 2 };
const GENEROUS: Throttle = { rateLimit: 1000, burstLimit: 500 };

export interface StagesSetupOptions {
  host: string;
  region: string;
  accountId: string;
  probeUrl: string;
  clock: Clock;
  fault?: FaultName | undefined;
  /** Makes the stack's key values (40 base62 characters). */
  apiKeyValue: () => string;
}

export interface StagesSetup {
  features: Feature[];
  profile: Pick<ProfileInput, 'release'>;
  close(): Promise<void>;
}

export async function startStagesSetup(options: StagesSetupOptions): Promise<StagesSetup> {
  const keys = {
    bothStages: options.apiKeyValue(),
    mainOnly: options.apiKeyValue(),
    throttled: options.apiKeyValue(),
  };
  const apiKeys: ApiKey[] = Object.entries(keys).map(([id, value]) => ({ id, value, enabled: true }));
  const usagePlans: UsagePlanConfig[] = [
    {
      id: 'release-both',
      apiStages: [{ stage: MAIN }, { stage: OTHER }].map(unthrottled),
      throttle: GENEROUS,
      apiKeyIds: ['bothStages'],
    },
    {
      id: 'release-main',
      apiStages: [unthrottled({ stage: MAIN })],
      throttle: GENEROUS,
      apiKeyIds: ['mainOnly'],
    },
    {
      id: 'release-throttled',
      apiStages: [
        { stage: MAIN, throttle: { '/release/keyed/GET': THROTTLE } },
        unthrottled({ stage: OTHER }),
      ],
      throttle: GENEROUS,
      apiKeyIds: ['throttled'],
    },
  ];
  const deployer: IamCredential = {
    ...freshCredentials(),
    arn: `arn:aws:iam::${options.accountId}:user/gateproof-deployer`,
    policy: { Statement: [{ Effect: 'Allow', Action: 'apigateway:*', Resource: '*' }] },
  };
  const api = new ReleaseApi(apiModel(loadContract(RELEASE_CONTRACT_FILE)));
  const stages = new ReleaseStages(
    api,
    [
      {
        name: MAIN,
        variables: { probeUrl: options.probeUrl, backend: 'main', color: 'blue' },
        cache: {
          cacheTtlInSeconds: CACHE_TTL_SECONDS,
          methodSettings: {
            '*/*': { cachingEnabled: false },
            '/release/cached/GET': { cachingEnabled: true },
          },
        },
      },
      { name: OTHER, variables: { probeUrl: options.probeUrl, backend: 'other', color: 'green' } },
    ],
    {
      contract: RELEASE_CONTRACT_FILE,
      apiKeys,
      usagePlans,
      region: options.region,
      accountId: options.accountId,
      apiId: REST_API_ID,
    },
    options.clock,
    options.fault,
  );
  let gateway: ReferenceGateway | undefined;
  let control: ControlPlane | undefined;
  try {
    gateway = await listenGateway(
      async (ctx) => stages.serve(ctx),
      { host: options.host, fault: options.fault, apiType: 'REST' },
      () => stages.close(),
    );
    control = await startControlPlane({
      host: options.host,
      restApiId: REST_API_ID,
      region: options.region,
      credentials: [deployer],
      stages,
      clock: options.clock,
    });
  } catch (err) {
    await gateway?.close();
    await stages.close();
    throw err;
  }
  const releaseResourceId = api.resources.find((r) => r.path === '/release')!.id;
  return {
    features: ['stages', 'canary'],
    profile: {
      release: {
        baseUrl: gateway.url,
        stages: { main: MAIN, other: OTHER },
        controlPlane: control.url,
        restApiId: REST_API_ID,
        releaseResourceId,
        region: options.region,
        deployer: { accessKeyId: deployer.accessKeyId, secretAccessKey: deployer.secretAccessKey },
        apiKeys: keys,
        throttle: THROTTLE,
        cacheTtlSeconds: CACHE_TTL_SECONDS,
      },
    },
    close: async () => {
      await control.close();
      await gateway.close();
    },
  };
}

function unthrottled(apiStage: { stage: string }) {
  return { ...apiStage, throttle: {} };
}
