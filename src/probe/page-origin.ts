import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/**
 * A loopback origin that serves gateproof's blank page, for browser CORS checks: the page is
 * loaded from here and calls the gateway with `fetch`, so the browser judges a real cross-origin
 * request. The page holds no script of its own; the case drives it.
 */

/** Marks the answer as gateproof's page, so an origin already served (by the stack, another run) is reused. */
export const PAGE_MARKER_HEADER = 'x-gateproof-page';
const PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>gateproof</title></head><body></body></html>';

export interface PageOrigin {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

export async function startPageOrigin(options: { host?: string; port?: number } = {}): Promise<PageOrigin> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      [PAGE_MARKER_HEADER]: '1',
    });
    res.end(PAGE);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** True when the origin answers with gateproof's page; false when nothing (or something else) listens there. */
export async function servesGateproofPage(origin: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    // Whatever listens there may be anyone's: the marker header is the answer, the body is not read.
    const res = await request(`${origin}/`, {
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
    });
    res.body.on('error', () => {});
    res.body.destroy();
    return res.headers[PAGE_MARKER_HEADER] === '1';
  } catch {
    return false;
  }
}
