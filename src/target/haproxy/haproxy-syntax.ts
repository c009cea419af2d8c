import { GATEWAY_RESPONSES, type GatewayResponse } from '../gateway-routes.js';

/** A section of haproxy.cfg: its head at the margin, its lines indented. */
export function section(head: string, lines: readonly string[]): string {
  return [head, ...lines.map((l) => `  ${l}`)].join('\n');
}

/**
 * The arguments of an `http-request return` making one of API Gateway's gateway responses, with
 * its body and x-amzn-ErrorType (its CORS headers and request id come from http-after-response).
 */
export function gatewayReturn(name: GatewayResponse, headers: Record<string, string> = {}): string {
  const r = GATEWAY_RESPONSES[name];
  const hdr = { ...(r.type ? { 'x-amzn-ErrorType': r.type } : {}), ...headers };
  return [
    `return status ${r.status} content-type application/json string '{"message":${r.message}}'`,
    ...Object.entries(hdr).map(([n, v]) => `hdr ${n} '${v}'`),
  ].join(' ');
}

/**
 * An ACL matching any of the values exactly. `--` ends the flags: a value that starts with a dash
 * (a random kid or key can) would otherwise be read as an unknown flag and HAProxy would not start.
 */
export function matchesAny(values: readonly string[]): string {
  return `-m str -- ${values.join(' ')}`;
}

/** The `http-error` for a status HAProxy makes when the integration fails (502, 504). */
export function gatewayError(name: GatewayResponse): string {
  const r = GATEWAY_RESPONSES[name];
  return `http-error status ${r.status} content-type application/json string '{"message":${r.message}}'`;
}
