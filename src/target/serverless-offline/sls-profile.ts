import { randomBytes } from 'node:crypto';
import { freshCredentials } from '../../auth/fresh-credentials.js';
import { referenceAuthorizerSettings } from '../../reference/lambda-authorizer-function.js';
import { freshKeys } from '../fresh-keys.js';
import type { Feature, Profile } from '../profile-schema.js';
import { profileSchema } from '../profile-schema.js';
import { corsWithPages, REFERENCE_SETTINGS } from '../target-support.js';
import { WEBSOCKET_HARD_TIMEOUT_S, WEBSOCKET_IDLE_TIMEOUT_S } from './sls-websocket.js';

/**
 * What serverless-offline documents, and so what the target claims: private REST routes with API
 * keys, Lambda authorizers (TOKEN and REQUEST), the HTTP API's JWT authorizer, and CORS. It
 * documents no usage plans (throttle, quota), no stage cache and no IAM (SigV4) authorization, so
 * those are not claimed and their cases skip. It validates request bodies against `request.schemas`
 * and answers unknown routes itself, so validation and routes are claimed and measured. Its VTL
 * runs only for Lambda (non-proxy) integrations, never for the contract's HTTP integrations, and
 * it has no gateway-response settings or tracing: transform, responses and tracing are not claimed.
 * Nor stages, deployments or canaries (`stages`, `canary`): it serves one stage from the service
 * file, with no control plane. It serves WebSocket APIs (`websocket` events, a REQUEST authorizer
 * at `$connect`, @connections), so `websocket` is claimed and what it does not enforce is measured.
 */
export const SLS_CAPABILITIES: readonly Feature[] = [
  'apikey',
  'authorizer',
  'jwt',
  'jwt-rotation',
  'cors',
  'cors-browser',
  'validation',
  'routes',
  'websocket',
];

/** The TTL of the REQUEST authorizer, as in the probe contract: short, so expiry is seen within a run. */
const REQUEST_AUTHORIZER_TTL_S = 2;

/** The profile `--target serverless-offline` starts from; a profile file of that kind overrides any part. */
export function defaultSlsProfile(): Profile {
  return profileSchema.parse({
    name: 'serverless-offline',
    kind: 'serverless-offline',
    vendor: 'serverless-offline',
    baseUrl: 'http://127.0.0.1:0',
    stage: 'test',
    // An emulator of API Gateway is held to API Gateway's own answers, as the reference is.
    profile: 'aws',
    ...REFERENCE_SETTINGS,
  });
}

export interface SlsFacts {
  baseUrl: string;
  probeUrl: string;
  version: string;
  /** Loopback origins serving gateproof's browser page: the first is allowed, the second is not. */
  pages?: { allowed: string; disallowed: string };
  /** The built-in issuer the JWT authorizer trusts, and its mint API for the suites. */
  jwt?: NonNullable<Profile['jwt']>;
  /** Its two WebSocket APIs (with and without `$default`) and their @connections API. */
  websocket?: { url: string; noDefaultUrl: string; connectionsUrl: string };
}

/**
 * The profile of a started serverless-offline: where it listens (every route at the root, since
 * it runs with --noPrependStageInUrl: its HTTP API routes never carry a stage), its probe, the keys
 * it was configured with (fresh ones when the profile names none), the reference authorizer's
 * tokens, and the features it claims: those asked for (all when none are) that it documents.
 */
export function resolveSlsProfile(base: Profile, facts: SlsFacts): Profile {
  const capable = SLS_CAPABILITIES.filter(
    (f) =>
      (f !== 'cors-browser' || facts.pages) &&
      (f !== 'jwt' || facts.jwt) &&
      (f !== 'websocket' || facts.websocket),
  );
  const asked = base.features.length > 0 ? base.features : capable;
  const cors = base.cors ?? defaultSlsProfile().cors!;
  const principal = `gateproof${randomBytes(8).toString('hex')}`;
  return {
    ...base,
    kind: 'serverless-offline',
    vendor: 'serverless-offline',
    version: facts.version,
    baseUrl: facts.baseUrl,
    stage: '',
    probe: { url: facts.probeUrl },
    features: asked.filter((f) => capable.includes(f)),
    apiKeys: base.apiKeys ?? freshKeys(),
    ...(facts.jwt ? { jwt: facts.jwt } : {}),
    authorizer: {
      ...referenceAuthorizerSettings(principal),
      resultTtlSeconds: base.authorizer?.resultTtlSeconds ?? REQUEST_AUTHORIZER_TTL_S,
    },
    cors: corsWithPages(cors, facts),
    ...(facts.websocket
      ? {
          websocket: {
            ...facts.websocket,
            // serverless-offline has no size setting: held to API Gateway's limits, as on AWS.
            maxMessageBytes: 128 * 1024,
            maxFrameBytes: 32 * 1024,
            idleTimeoutSeconds: WEBSOCKET_IDLE_TIMEOUT_S,
            maxConnectionSeconds: WEBSOCKET_HARD_TIMEOUT_S,
            // It checks no signature on @connections; a manager is still what a caller signs with.
            manager: freshCredentials(),
          },
        }
      : {}),
  };
}
