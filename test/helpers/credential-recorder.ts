import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback pass-through in front of a gateway that writes down every credential a run sends
 * through it (whole Authorization values, bearer tokens, SigV4 signatures, session tokens, in
 * headers or query), so a test can prove none of them appears in the run's reports.
 */
export interface CredentialRecorder {
  url: string;
  /** Every credential seen, whole. */
  readonly seen: ReadonlySet<string>;
  close(): Promise<void>;
}

const QUERY_CREDENTIALS = ['X-Amz-Signature', 'X-Amz-Security-Token'];

function record(req: IncomingMessage, seen: Set<string>): void {
  const authorization = req.headers.authorization;
  if (authorization) {
    seen.add(authorization);
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization)?.[1];
    if (bearer) seen.add(bearer);
    const signature = /Signature=([0-9a-f]+)/i.exec(authorization)?.[1];
    if (signature) seen.add(signature);
  }
  const token = req.headers['x-amz-security-token'];
  if (typeof token === 'string') seen.add(token);
  const query = new URL(req.url ?? '/', 'http://recorder').searchParams;
  for (const name of QUERY_CREDENTIALS) {
    const value = query.get(name);
    if (value) seen.add(value);
  }
}

/** Forwards to `target` with the request line and headers untouched, Host included (SigV4 signs it). */
export async function startCredentialRecorder(target: string): Promise<CredentialRecorder> {
  const upstream = new URL(target);
  const seen = new Set<string>();
  // Headers far beyond the gateway's limit still pass, so that its own answer to them is what the run sees.
  const server: Server = createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
    record(req, seen);
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.rawHeaders as unknown as Record<string, string>,
        setHost: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
