import { Worker } from 'node:worker_threads';

/**
 * The target runs in a worker thread so its work never shares the engine's event loop. The path
 * picks the answer: `/slow/N` waits N ms, `/status/N` answers N, `/hit` and `/miss` set X-Cache.
 */
const TARGET = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  const [, kind, arg] = req.url.split('/');
  const answer = () => {
    res.writeHead(kind === 'status' ? Number(arg) : 200, { 'content-type': 'text/plain', 'x-cache': kind === 'hit' ? 'Hit' : 'Miss' });
    res.end(kind === 'hit' ? 'cached body' : 'fresh body');
  };
  if (kind === 'slow') setTimeout(answer, Number(arg));
  else answer();
});
server.keepAliveTimeout = 10000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

export interface EngineTarget {
  origin: string;
  stop(): Promise<void>;
}

export async function startEngineTarget(): Promise<EngineTarget> {
  const worker = new Worker(TARGET, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: async () => {
      await worker.terminate();
    },
  };
}
