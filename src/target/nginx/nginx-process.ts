import { type GatewayProcess, startGatewayProcess } from '../gateway-process.js';

export interface NginxProcessOptions {
  binary: string;
  prefix: string;
  configFile: string;
  errorLog: string;
  port: number;
  readyTimeoutMs?: number;
}

/** nginx in the foreground (`daemon off`), from a private prefix, logging to its own error log. */
export function startNginx(options: NginxProcessOptions): Promise<GatewayProcess> {
  return startGatewayProcess({
    name: 'nginx',
    binary: options.binary,
    args: ['-p', options.prefix, '-e', options.errorLog, '-c', options.configFile, '-g', 'daemon off;'],
    errorLog: options.errorLog,
    port: options.port,
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
  });
}
