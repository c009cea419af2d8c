import type { IncomingMessage } from 'node:http';

/**
 * A request's body, of which at most `limit` bytes are kept: a larger one is read to its end and
 * dropped, so the caller can still be answered (413) on a connection that is not reset. `over`
 * says the limit was passed. Shared by every server gateproof runs (gateways, probe, control plane).
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  done: (body: Buffer, over: boolean) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  });
  req.on('end', () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), size > limit));
}
