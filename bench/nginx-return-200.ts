import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx } from '../src/target/nginx/nginx-binary.js';
import { startNginx } from '../src/target/nginx/nginx-process.js';

export interface Nginx200 {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The benchmark's target: one nginx worker answering `return 200` on loopback, from a prefix of
 * its own, so every tool measures the same thing and none of them measures a gateway.
 */
export async function startNginx200(): Promise<Nginx200> {
  const prefix = mkdtempSync(join(tmpdir(), 'gateproof-bench-nginx-'));
  const port = await freePort();
  const configFile = join(prefix, 'nginx.conf');
  writeFileSync(
    configFile,
    `worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path ${prefix};
  proxy_temp_path ${prefix};
  fastcgi_temp_path ${prefix};
  uwsgi_temp_path ${prefix};
  scgi_temp_path ${prefix};
  server {
    listen 127.0.0.1:${port};
    location / { return 200 'ok'; }
  }
}
`,
  );
  try {
    const nginx = await startNginx({
      binary: findNginx(),
      prefix,
      configFile,
      errorLog: join(prefix, 'error.log'),
      port,
    });
    return {
      url: `http://127.0.0.1:${port}`,
      stop: async () => {
        await nginx.stop();
        rmSync(prefix, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(prefix, { recursive: true, force: true });
    throw err;
  }
}
