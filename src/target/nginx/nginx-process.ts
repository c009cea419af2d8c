import { existsSync, readFileSync } from 'node:fs';
import { type ChildGateway, ChildGatewayStartError, startChildGateway } from '../child-gateway.js';

const READY_TIMEOUT_MS = 10_000;

export interface NginxProcessOptions {
  binary: string;
  prefix: string;
  configFile: string;
  errorLog: string;
  port: number;
  readyTimeoutMs?: number;
}

/** Stops nginx and its workers; resolves once the master has exited. Safe to call twice. */
export type NginxProcess = ChildGateway;

/** nginx exited or never answered; `message` is one line ending with the error log's last complaint. */
export class NginxStartError extends Error {
  override name = 'NginxStartError';
  constructor(
    message: string,
    /** The port was taken between choosing it and nginx binding it: worth another try. */
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

/** Starts nginx in the foreground, in a process group of its own (see startChildGateway). */
export async function startNginx(options: NginxProcessOptions): Promise<NginxProcess> {
  try {
    return await startChildGateway({
      command: options.binary,
      args: ['-p', options.prefix, '-e', options.errorLog, '-c', options.configFile, '-g', 'daemon off;'],
      readyUrl: `http://127.0.0.1:${options.port}/`,
      readyTimeoutMs: options.readyTimeoutMs ?? READY_TIMEOUT_MS,
    });
  } catch (err) {
    if (!(err instanceof ChildGatewayStartError)) throw err;
    const complaint = firstComplaint(options.errorLog, err.output);
    throw new NginxStartError(
      `nginx did not start (${err.reason})${complaint ? `: ${complaint}` : ''}`,
      /Address already in use/.test(complaint ?? ''),
    );
  }
}

/**
 * The first emerg/alert/crit line of the error log (or of stderr), without its timestamp and pid:
 * the first is the cause ("bind() ... Address already in use"), later ones its consequences.
 */
function firstComplaint(errorLog: string, stderr: string): string | undefined {
  const text = `${existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''}\n${stderr}`;
  const lines = text.split('\n').filter((l) => /\[(emerg|alert|crit)\]/.test(l));
  const first = lines[0] ?? text.trim().split('\n').at(-1);
  const bare = first
    ?.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, '')
    .replace(/\d+#\d+: /, '')
    .trim();
  return bare || undefined;
}
