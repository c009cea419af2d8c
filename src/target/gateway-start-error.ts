import { existsSync, readFileSync } from 'node:fs';
import type { ChildGatewayStartError } from './child-gateway.js';

/** A gateway gateproof starts exited or never answered; `message` is one line ending with its first complaint. */
export class GatewayStartError extends Error {
  override name = 'GatewayStartError';
  constructor(
    message: string,
    /** The port was taken between choosing it and the gateway binding it: worth another try. */
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

/** `nginx did not start (exited): bind() to 127.0.0.1:8123 failed (98: Address already in use)`. */
export function gatewayStartError(
  name: string,
  err: ChildGatewayStartError,
  errorLog?: string,
): GatewayStartError {
  const complaint = firstComplaint(errorLog, err.output);
  return new GatewayStartError(
    `${name} did not start (${err.reason})${complaint ? `: ${complaint}` : ''}`,
    /Address already in use/.test(complaint ?? ''),
  );
}

/**
 * The first emerg/alert/crit line of the error log (or of the output), without its timestamp and
 * pid: the first is the cause ("bind() ... Address already in use"), later ones its consequences.
 * nginx writes `[emerg] 12#12: ...`, HAProxy `[ALERT]    (12) : ...`.
 */
function firstComplaint(errorLog: string | undefined, output: string): string | undefined {
  const text = `${errorLog && existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''}\n${output}`;
  const lines = text.split('\n').filter((l) => /\[(emerg|alert|crit)\]/i.test(l));
  const first = lines[0] ?? text.trim().split('\n').at(-1);
  const bare = first
    ?.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, '')
    .replace(/\d+#\d+: /, '')
    .replace(/^\[(ALERT|EMERG|CRIT)\]\s*(\(\d+\)\s*:\s*)?/i, '')
    .trim();
  return bare || undefined;
}
