import { randomBytes } from 'node:crypto';
import { accessKeyId, secretAccessKey } from '../auth/fresh-credentials.js';
import { startIssuer } from '../auth/oidc-issuer.js';
import { loadContract } from '../contract/load-contract.js';
import type { Feature, ProfileInput } from '../target/profile-schema.js';
import { apiModel } from './api-model.js';
import type { IamCredential } from './config.js';
import { methodArn } from './iam-policy.js';
import { referenceAuthorizerSettings } from './lambda-authorizer-function.js';

/**
 * The reference's callers and authorizers, fresh every start: IAM users for SigV4 (allowed,
 * temporary, denied on the IAM route), the built-in OIDC issuer the JWT authorizer trusts, and the
 * tokens the reference authorizer function answers. The issuer serves its mint API to the suites,
 * so its private keys never leave this process.
 */

const AUDIENCE = 'gateproof';
const SCOPE = 'gateproof/read';
/** Short, so a run sees a new key learnt soon after it is published. */
const JWKS_REFETCH_COOLDOWN_MS = 1000;

export interface AuthSetupOptions {
  host: string;
  stage: string;
  region: string;
  accountId: string;
  apiId: string;
  /** An issuer already running (`gateproof probe`) to trust instead of starting one. */
  issuer?: { url: string; mintSecret: string };
}

export interface AuthSetup {
  iamCredentials: IamCredential[];
  /** The JWT authorizer's issuer and audience, as the contract reads them. */
  stageVariables: { jwtIssuer: string; jwtAudience: string };
  jwksRefetchCooldownMs: number;
  features: Feature[];
  profile: Pick<ProfileInput, 'sigv4' | 'jwt' | 'authorizer'>;
  close(): Promise<void>;
}

/** The TTL the contract gives the cached REQUEST authorizer, so the profile can never say otherwise. */
function requestAuthorizerTtl(): number {
  const method = apiModel(loadContract()).methods.find((m) => m.resourcePath === '/authorizer-request');
  const ttl = method?.authorization.authorizer?.authorizerResultTtlInSeconds;
  if (typeof ttl !== 'number') throw new Error('the probe contract has no cached REQUEST authorizer');
  return ttl;
}

export async function startAuthSetup(options: AuthSetupOptions): Promise<AuthSetup> {
  const arn = (method: string, path: string) => methodArn({ ...options, method, path });
  const invoke = (effect: 'Allow' | 'Deny', resource: string) => ({
    Effect: effect,
    Action: 'execute-api:Invoke',
    Resource: resource,
  });
  const stageMethods = arn('*', '*');
  // A WebSocket route's resource is `{api}/{stage}/{route key}`, which no `{method}/{path}` pattern matches.
  const websocketConnect = `arn:aws:execute-api:${options.region}:${options.accountId}:${options.apiId}/${options.stage}/$connect`;
  const allowed: IamCredential = {
    accessKeyId: accessKeyId('AKIA'),
    secretAccessKey: secretAccessKey(),
    arn: `arn:aws:iam::${options.accountId}:user/gateproof-caller`,
    policy: {
      Version: '2012-10-17',
      Statement: [invoke('Allow', stageMethods), invoke('Allow', websocketConnect)],
    },
  };
  const temporary: IamCredential = {
    accessKeyId: accessKeyId('ASIA'),
    secretAccessKey: secretAccessKey(),
    sessionToken: randomBytes(96).toString('base64'),
    arn: `arn:aws:sts::${options.accountId}:assumed-role/gateproof-role/gateproof-session`,
    // Lists of actions and resources, as roles often have: one of each matching is enough.
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['execute-api:InvalidateCache', 'execute-api:Invoke'],
          Resource: [arn('GET', '/open'), stageMethods],
        },
      ],
    },
  };
  const denied: IamCredential = {
    accessKeyId: accessKeyId('AKIA'),
    secretAccessKey: secretAccessKey(),
    arn: `arn:aws:iam::${options.accountId}:user/gateproof-denied`,
    policy: {
      Version: '2012-10-17',
      Statement: [invoke('Allow', stageMethods), invoke('Deny', arn('*', '/iam'))],
    },
  };

  const mintSecret = options.issuer?.mintSecret ?? randomBytes(32).toString('base64url');
  const issuer = options.issuer
    ? { issuerUrl: options.issuer.url.replace(/\/+$/, ''), close: async () => {} }
    : await startIssuer({ host: options.host, audience: AUDIENCE, scope: SCOPE, mintSecret });
  const principal = `gateproof${randomBytes(8).toString('hex')}`;

  return {
    iamCredentials: [allowed, temporary, denied],
    stageVariables: { jwtIssuer: issuer.issuerUrl, jwtAudience: AUDIENCE },
    jwksRefetchCooldownMs: JWKS_REFETCH_COOLDOWN_MS,
    features: ['sigv4', 'sigv4-presigned', 'jwt', 'jwt-rotation', 'authorizer'],
    profile: {
      sigv4: {
        region: options.region,
        accessKeyId: allowed.accessKeyId,
        secretAccessKey: allowed.secretAccessKey,
        temporary: {
          accessKeyId: temporary.accessKeyId,
          secretAccessKey: temporary.secretAccessKey,
          sessionToken: temporary.sessionToken!,
        },
        denied: { accessKeyId: denied.accessKeyId, secretAccessKey: denied.secretAccessKey },
      },
      jwt: {
        issuer: issuer.issuerUrl,
        audience: AUDIENCE,
        scopes: [SCOPE],
        mint: { url: issuer.issuerUrl, secret: mintSecret },
      },
      authorizer: { ...referenceAuthorizerSettings(principal), resultTtlSeconds: requestAuthorizerTtl() },
    },
    close: () => issuer.close(),
  };
}
