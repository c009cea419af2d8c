import { checked, originPattern } from '../config-values.js';
import { CORS_RESPONSE_HEADERS } from '../gateway-routes.js';
import type { Profile } from '../profile-schema.js';

type Cors = NonNullable<Profile['cors']>;

const ORIGIN = 'req.fhdr(origin)';
const ALLOWED = '{ var(txn.gp_cors_origin) -m found }';
const PREFLIGHT = '{ var(txn.gp_preflight) -m bool }';

/**
 * The frontend's request rules: `txn.gp_cors_origin` is the Access-Control-Allow-Origin to send
 * (unset for a request without an allowed Origin, which then gets no CORS header at all), and a
 * preflight on a route is answered at once, before any credential is asked for.
 */
export function corsRequestRules(cors: Cors): string[] {
  const echo = cors.allowCredentials ? `${ORIGIN}` : 'str(*)';
  const patterns = cors.allowOrigins.filter((o) => o !== '*').map((o) => `'${originPattern(o)}'`);
  const rules = [
    `http-request set-var(txn.gp_preflight) bool(1) if METH_OPTIONS { ${ORIGIN} -m found } { req.fhdr(access-control-request-method) -m found }`,
  ];
  if (patterns.length > 0) {
    rules.push(
      `http-request set-var(txn.gp_cors_origin) ${ORIGIN} if { ${ORIGIN} -m reg ${patterns.join(' ')} }`,
    );
  }
  if (cors.allowOrigins.includes('*')) {
    rules.push(`http-request set-var(txn.gp_cors_origin) ${echo} if { ${ORIGIN} -m found } !${ALLOWED}`);
  }
  rules.push(`http-request return status 204 if ${PREFLIGHT} { var(txn.gp_role) -m found }`);
  return rules;
}

/**
 * On every answer, the gateway's own refusals and cache hits included, so a browser can read why;
 * preflight-only headers on preflights only, and an echoed origin always with `Vary: Origin`.
 */
export function corsResponseRules(cors: Cors): string[] {
  const list = (values: string[], what: string) =>
    values.map((v) => checked(v, /^[A-Za-z0-9*-]+$/, what)).join(', ');
  const rules = CORS_RESPONSE_HEADERS.map((h) => `http-after-response del-header ${h}`);
  rules.push(
    `http-after-response set-header Access-Control-Allow-Origin %[var(txn.gp_cors_origin)] if ${ALLOWED}`,
  );
  if (cors.allowCredentials) {
    rules.push(`http-after-response set-header Access-Control-Allow-Credentials true if ${ALLOWED}`);
  }
  if (cors.exposeHeaders.length > 0) {
    rules.push(
      `http-after-response set-header Access-Control-Expose-Headers "${list(cors.exposeHeaders, 'cors.exposeHeaders')}" if ${ALLOWED}`,
    );
  }
  const preflight: Array<[string, string]> = [
    ['Access-Control-Allow-Methods', list(cors.allowMethods, 'cors.allowMethods')],
    ['Access-Control-Allow-Headers', list(cors.allowHeaders, 'cors.allowHeaders')],
    ['Access-Control-Max-Age', cors.maxAge === undefined ? '' : String(cors.maxAge)],
  ];
  for (const [name, value] of preflight) {
    if (value) rules.push(`http-after-response set-header ${name} "${value}" if ${ALLOWED} ${PREFLIGHT}`);
  }
  rules.push(
    `http-after-response add-header Vary Origin if ${ALLOWED} !{ var(txn.gp_cors_origin) -m str * }`,
  );
  return rules;
}
