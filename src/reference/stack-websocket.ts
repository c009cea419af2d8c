import { freshCredentials } from '../auth/fresh-credentials.js';
import type { ProfileInput } from '../target/profile-schema.js';
import type { IamCredential } from './config.js';
import type { FaultName } from './faults.js';
import { WEBSOCKET_FAULTS, type WebSocketFaultName } from './faults-websocket.js';
import type { StoredCredential } from './sigv4-verifier.js';
import { startReferenceWebSocketApi } from './websocket-server.js';

/**
 * The reference stack's WebSocket API, beside the REST gateway: the same stage, API keys and
 * authorizer tokens, the probe as integration, and a caller allowed `execute-api:ManageConnections`
 * for the @connections API (the stack's SigV4 callers may only Invoke).
 */

/** API Gateway's message limit. */
const MAX_MESSAGE_BYTES = 128 * 1024;
/** API Gateway's frame limit. */
const MAX_FRAME_BYTES = 32 * 1024;
/** API Gateway's is 10 minutes; short, so a run sees it. */
const IDLE_TIMEOUT_SECONDS = 3;
/** API Gateway's is 2 hours; short, so a run sees it, and long enough for a load scenario to hold its connections. */
const MAX_CONNECTION_SECONDS = 8;

export interface WebSocketSetupOptions {
  host: string;
  stage: string;
  region: string;
  accountId: string;
  apiId: string;
  probeUrl: string;
  apiKeys: readonly string[];
  /** The stack's SigV4 callers, known to the @connections API but not allowed to manage connections. */
  iamCredentials: readonly IamCredential[];
  fault?: FaultName | undefined;
}

export interface WebSocketSetup {
  profile: Pick<ProfileInput, 'websocket'>;
  close(): Promise<void>;
}

function stored(credential: IamCredential): StoredCredential {
  return {
    secretAccessKey: credential.secretAccessKey,
    ...(credential.sessionToken !== undefined && { sessionToken: credential.sessionToken }),
    arn: credential.arn,
    policy: credential.policy as StoredCredential['policy'],
  };
}

export async function startWebSocketSetup(options: WebSocketSetupOptions): Promise<WebSocketSetup> {
  const manager = freshCredentials();
  const credentials = new Map<string, StoredCredential>(
    options.iamCredentials.map((c) => [c.accessKeyId, stored(c)]),
  );
  credentials.set(manager.accessKeyId, {
    secretAccessKey: manager.secretAccessKey,
    arn: `arn:aws:iam::${options.accountId}:user/gateproof-connections-manager`,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'execute-api:ManageConnections',
          Resource: `arn:aws:execute-api:${options.region}:${options.accountId}:${options.apiId}/${options.stage}/*`,
        },
      ],
    },
  });
  const fault = WEBSOCKET_FAULTS.find((f) => f.name === options.fault)?.name as
    | WebSocketFaultName
    | undefined;
  const api = await startReferenceWebSocketApi(
    {
      stage: options.stage,
      region: options.region,
      accountId: options.accountId,
      apiId: options.apiId,
      apiKeys: options.apiKeys,
      integrationUrl: options.probeUrl,
      credentials,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      maxFrameBytes: MAX_FRAME_BYTES,
      idleTimeoutMs: IDLE_TIMEOUT_SECONDS * 1000,
      maxConnectionMs: MAX_CONNECTION_SECONDS * 1000,
      fault,
    },
    options.host,
  );
  return {
    profile: {
      websocket: {
        url: api.url,
        noDefaultUrl: `${api.url}/no-default`,
        iamUrl: `${api.url}/iam`,
        connectionsUrl: api.connectionsUrl,
        maxMessageBytes: MAX_MESSAGE_BYTES,
        maxFrameBytes: MAX_FRAME_BYTES,
        idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS,
        maxConnectionSeconds: MAX_CONNECTION_SECONDS,
        manager,
      },
    },
    close: () => api.close(),
  };
}
