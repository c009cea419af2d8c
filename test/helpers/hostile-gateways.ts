import { createServer, type Socket } from 'node:net';

/**
 * Gateways that misbehave on purpose, as real loopback servers speaking raw TCP so that nothing
 * (no HTTP library) tidies what they send. Each request is answered on its own connection.
 */
export const HOSTILE = [
  'hang',
  'reset',
  'garbage',
  'huge-body',
  'endless-body',
  'drip-body',
  'slow-headers',
  'redirect-loop',
  'script',
  'many-headers',
  'hang-after-first',
] as const;
export type Hostile = (typeof HOSTILE)[number];

/** What the script-injecting gateway sends in its headers and bodies. */
export const SCRIPT = '<script>alert("gp-xss")</script>';
export const HUGE_BODY_BYTES = 50 * 1024 * 1024;

export interface HostileGateway {
  url: string;
  close(): Promise<void>;
}

const OK =
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{"ok":true}';

export async function startHostileGateway(kind: Hostile): Promise<HostileGateway> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const every = (ms: number, socket: Socket, step: () => boolean) => {
    const timer = setInterval(() => {
      if (socket.destroyed || !step()) {
        clearInterval(timer);
        timers.delete(timer);
      }
    }, ms);
    timers.add(timer);
  };
  const answer = (socket: Socket, path: string) => {
    const n = requests++;
    switch (kind) {
      case 'hang':
        return;
      case 'reset':
        return socket.resetAndDestroy();
      case 'garbage':
        return socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n');
      case 'huge-body':
        return stream(socket, HUGE_BODY_BYTES);
      case 'endless-body':
        return stream(socket, Number.POSITIVE_INFINITY);
      case 'drip-body':
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{');
        return every(1000, socket, () => socket.write(' '));
      case 'slow-headers': {
        if (n === 0) return socket.end(OK);
        let i = 0;
        return every(1000, socket, () => socket.write(OK[i++] ?? '') && i < OK.length);
      }
      case 'redirect-loop':
        return socket.end(
          `HTTP/1.1 302 Found\r\nlocation: ${path}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`,
        );
      case 'script': {
        const body = JSON.stringify({ message: SCRIPT, html: `</pre>${SCRIPT}<img src=x onerror=alert(1)>` });
        return socket.end(
          `HTTP/1.1 403 Forbidden\r\ncontent-type: text/html\r\nx-evil: ${SCRIPT}\r\n` +
            `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
      }
      case 'many-headers': {
        if (n === 0) return socket.end(OK);
        const headers = Array.from({ length: 10_000 }, (_, i) => `x-h-${i}: ${i}\r\n`).join('');
        return socket.end(`HTTP/1.1 200 OK\r\n${headers}content-length: 0\r\nconnection: close\r\n\r\n`);
      }
      case 'hang-after-first':
        if (n === 0) socket.end(OK);
        return;
    }
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    socket.on('data', (chunk) => {
      if (head.includes('\r\n\r\n')) return;
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) answer(socket, head.split(' ')[1] ?? '/');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A 200 whose body is `bytes` long (or never ends), written as fast as the reader takes it. */
function stream(socket: Socket, bytes: number): void {
  const length = Number.isFinite(bytes) ? `content-length: ${bytes}` : 'transfer-encoding: chunked';
  socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n${length}\r\nconnection: close\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const framed = Number.isFinite(bytes)
    ? chunk
    : Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  let sent = 0;
  const pump = () => {
    while (sent < bytes && !socket.destroyed) {
      sent += chunk.length;
      const last = sent >= bytes ? chunk.subarray(0, chunk.length - (sent - bytes)) : framed;
      if (!socket.write(last)) return void socket.once('drain', pump);
    }
    if (!socket.destroyed) socket.end();
  };
  pump();
}
