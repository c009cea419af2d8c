import type { RequestSpec } from './dispatch-run.js';

/** A request's headers as `name, value` pairs, whichever form the spec gave them in. */
function headerPairs(spec: RequestSpec): [string, string][] {
  const { headers } = spec;
  return Array.isArray(headers)
    ? headers.flatMap((name, i) => (i % 2 === 0 ? [[name, String(headers[i + 1])] as [string, string]] : []))
    : Object.entries(headers ?? {});
}

/** Refuses a request that would leave the run's origin: a URL or `//host` path, another Host header. */
export function checkOrigin(spec: RequestSpec, host: string): void {
  const { path } = spec;
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) {
    throw new Error(`resolveRequest returned path '${String(path)}': only paths on ${host} are allowed`);
  }
  if (headerPairs(spec).some(([name, value]) => name?.toLowerCase() === 'host' && value !== host)) {
    throw new Error(
      `resolveRequest set a Host header other than ${host}: the engine sends traffic to its origin only`,
    );
  }
}

/** Headers that change the framing or the connection: the raw transport leaves those to undici. */
const FRAMING = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHOD_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Whether `text` has a character that would break a request line or a header line: CR, LF, NUL, any control. */
function hasControl(text: string, spaceToo: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 127 || (spaceToo && c === 32)) return true;
  }
  return false;
}

/**
 * The request on the wire, as undici would write it (Host first, Content-Length for a body or
 * for POST, PUT and PATCH without one), or undefined when only undici should send it: a framing
 * header of the caller's own, or a name or value that is not valid HTTP (undici refuses those
 * with its own message). Call checkOrigin first.
 */
export function requestBytes(spec: RequestSpec, host: string): Buffer | undefined {
  const { method, path, body } = spec;
  if (!TOKEN.test(method) || hasControl(path, true)) return undefined;
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let hasHost = false;
  let lines = '';
  for (const [name, value] of headerPairs(spec)) {
    const lower = name.toLowerCase();
    if (FRAMING.has(lower) || !TOKEN.test(name) || hasControl(value.replaceAll('\t', ' '), false))
      return undefined;
    if (lower === 'host') hasHost = true;
    lines += `${name}: ${value}\r\n`;
  }
  head += hasHost ? lines : `host: ${host}\r\n${lines}`;
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  if (payload) head += `content-length: ${payload.length}\r\n`;
  else if (METHOD_WITH_BODY.has(method)) head += 'content-length: 0\r\n';
  head += '\r\n';
  const bytes = Buffer.from(head, 'latin1');
  return payload && payload.length > 0 ? Buffer.concat([bytes, payload]) : bytes;
}
