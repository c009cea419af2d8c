import { createServer } from 'node:net';
import { UsageError } from '../usage-error.js';

export const LOOPBACK = '127.0.0.1';

/**
 * Where a gateway gateproof starts itself listens, from its profile's baseUrl: loopback only, and
 * port 0 (undefined here) for a free one.
 */
export function listenPort(baseUrl: string, gateway: string): number | undefined {
  const url = new URL(baseUrl);
  if (url.hostname !== LOOPBACK && url.hostname !== 'localhost') {
    throw new UsageError(`baseUrl: ${gateway} listens on ${LOOPBACK} only, not ${url.hostname}`);
  }
  const port = Number(url.port || 80);
  return port === 0 ? undefined : port;
}

/** A port free a moment ago; a gateway binding it may still lose a race, which its caller retries. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}
