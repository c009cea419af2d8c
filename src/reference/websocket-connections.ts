import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';

/** An open connection, as the @connections API describes it. */
export interface Connection {
  id: string;
  socket: WebSocket;
  /** Which API of the stage it connected to: @connections reaches only that API's connections. */
  api: string;
  connectedAt: Date;
  lastActiveAt: Date;
  sourceIp: string;
  userAgent: string;
  /** The probe nonce given at $connect (query `gpn`), sent with every integration call of this connection. */
  nonce?: string;
}

/** Connection ids shaped like API Gateway's: 12 base64 characters and a trailing `=`. */
export function connectionId(): string {
  return `${randomBytes(9).toString('base64url')}=`;
}
