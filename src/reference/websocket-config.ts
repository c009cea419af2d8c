import type { WebSocketFaultName } from './faults-websocket.js';
import type { StoredCredential } from './sigv4-verifier.js';

/** One stage of the reference WebSocket API: who may connect, where messages go, its limits. */
export interface WebSocketApiConfig {
  stage: string;
  region: string;
  accountId: string;
  apiId: string;
  /** Enabled keys of a usage plan that includes this stage. */
  apiKeys: readonly string[];
  /** The HTTP integration every route posts to (the probe). */
  integrationUrl: string;
  /** SigV4 callers of the @connections API, by access key id. */
  credentials: ReadonlyMap<string, StoredCredential>;
  /** API Gateway: 128 KB; a larger message closes the connection with 1009. */
  maxMessageBytes: number;
  /** API Gateway: 32 KB; a larger frame closes the connection with 1009, whatever its message's size. */
  maxFrameBytes: number;
  /** API Gateway: 10 minutes; short for tests. */
  idleTimeoutMs: number;
  /** API Gateway: 2 hours, however active the connection; short for tests. */
  maxConnectionMs: number;
  fault?: WebSocketFaultName | undefined;
}
