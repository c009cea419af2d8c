import { createHash } from 'node:crypto';
import { type Dispatcher, request } from 'undici';

/**
 * One HTTP exchange with an untrusted peer, bounded in time and memory. A gateway under test may
 * answer a body of any size at any pace: what is kept is its length, its SHA-256 and its first
 * bytes, so memory never grows with what the peer sends, and one deadline covers connect, headers
 * and body together (undici's own timeouts are per chunk, so a drip would never trip them).
 * Redirects are never followed: a 3xx is what the peer answered.
 */

/** Bytes of a body kept for judging: enough for any JSON answer of the probe or a gateway. */
export const KEPT_BODY_BYTES = 64 * 1024;
/** Bytes read at most; past them the connection is dropped and the body counted as cut. */
export const MAX_READ_BYTES = 8 * 1024 * 1024;

export interface BoundedBody {
  /** The first KEPT_BODY_BYTES bytes, as UTF-8. */
  text: string;
  /** Bytes read (all of them unless `cut`). */
  bytes: number;
  /** SHA-256 (hex) of the bytes read: how two answers are compared in full. */
  sha256: string;
  /** True when the body went on past MAX_READ_BYTES and was not read to its end. */
  cut: boolean;
  /** True when `text` is the whole body. */
  whole: boolean;
}

export interface BoundedResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: BoundedBody;
}

export interface BoundedRequest {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** The whole exchange: connect, headers and body. */
  timeoutMs: number;
  /** Bytes of the body kept (default KEPT_BODY_BYTES); more only for the harness's own large answers. */
  keepBytes?: number;
  dispatcher?: Dispatcher;
}

/** The peer did not complete an HTTP answer in time; carries what had arrived. */
export class ExchangeTimeout extends Error {
  override name = 'ExchangeTimeout';
  constructor(
    readonly timeoutMs: number,
    readonly partial: { status: number; headers: Record<string, string>; bytes: number } | undefined,
  ) {
    super(
      partial
        ? `no complete answer within ${timeoutMs} ms (status ${partial.status} and ${partial.bytes} body bytes had arrived)`
        : `no answer within ${timeoutMs} ms`,
    );
  }
}

export async function boundedExchange(url: string, options: BoundedRequest): Promise<BoundedResponse> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  let partial: { status: number; headers: Record<string, string>; bytes: number } | undefined;
  try {
    const res = await request(url, {
      method: (options.method ?? 'GET') as Dispatcher.HttpMethod,
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
      signal: deadline.signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const headers = flattenHeaders(res.headers as Record<string, string | string[] | undefined>);
    partial = { status: res.statusCode, headers, bytes: 0 };
    const body = await readBounded(res.body, partial, options.keepBytes ?? KEPT_BODY_BYTES);
    return { status: res.statusCode, headers, body };
  } catch (err) {
    if (deadline.signal.aborted) throw new ExchangeTimeout(options.timeoutMs, partial);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function readBounded(
  stream: AsyncIterable<Buffer> & { destroy(): void; on(event: 'error', listener: () => void): unknown },
  progress: { bytes: number },
  keepBytes: number,
): Promise<BoundedBody> {
  const hash = createHash('sha256');
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let cut = false;
  for await (const chunk of stream) {
    const room = MAX_READ_BYTES - progress.bytes;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    hash.update(part);
    progress.bytes += part.length;
    if (keptBytes < keepBytes) {
      const keep = part.subarray(0, keepBytes - keptBytes);
      kept.push(Buffer.from(keep));
      keptBytes += keep.length;
    }
    if (progress.bytes >= MAX_READ_BYTES) {
      cut = true;
      // Abandoning the rest is the point: the abort error that follows is not news.
      stream.on('error', () => {});
      stream.destroy();
      break;
    }
  }
  return {
    text: Buffer.concat(kept).toString('utf8'),
    bytes: progress.bytes,
    sha256: hash.digest('hex'),
    cut,
    whole: !cut && keptBytes === progress.bytes,
  };
}

export function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The body as a judge reads it: parsed JSON when it was read whole and is JSON, else undefined. */
export function parseJsonBody(body: BoundedBody): unknown {
  if (!body.text || !body.whole) return undefined;
  try {
    return JSON.parse(body.text);
  } catch {
    return undefined;
  }
}
