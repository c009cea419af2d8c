import { type ChildGateway, ChildGatewayStartError, startChildGateway } from '../child-gateway.js';
import { gatewayStartError } from '../gateway-start-error.js';

const READY_TIMEOUT_MS = 10_000;

export interface NginxProcessOptions {
  binary: string;
  prefix: string;
  configFile: string;
  errorLog: string;
  port: number;
  readyTimeoutMs?: number;
}

/** Starts nginx in the foreground, in a process group of its own (see startChildGateway). */
export async function startNginx(options: NginxProcessOptions): Promise<ChildGateway> {
  try {
    return await startChildGateway({
      command: options.binary,
      args: ['-p', options.prefix, '-e', options.errorLog, '-c', options.configFile, '-g', 'daemon off;'],
      readyUrl: `http://127.0.0.1:${options.port}/`,
      readyTimeoutMs: options.readyTimeoutMs ?? READY_TIMEOUT_MS,
    });
  } catch (err) {
    throw err instanceof ChildGatewayStartError ? gatewayStartError('nginx', err, options.errorLog) : err;
  }
}
