import { checked, originPattern } from '../config-values.js';
import type { Profile } from '../profile-schema.js';

type Cors = NonNullable<Profile['cors']>;

/**
 * `$gp_cors_origin` is the Access-Control-Allow-Origin to send: empty for a request without an
 * allowed Origin, so it gets no CORS header at all. Preflight-only headers go on preflights only,
 * and an echoed origin always comes with `Vary: Origin`.
 */
export function corsMaps(cors: Cors): string[] {
  const echo = cors.allowCredentials ? '$http_origin' : '"*"';
  const lines = [
    'map $http_origin $gp_cors_origin {',
    `  default ${cors.allowOrigins.includes('*') ? echo : '""'};`,
  ];
  lines.push('  "" "";');
  for (const origin of cors.allowOrigins.filter((o) => o !== '*'))
    lines.push(`  "~${originPattern(origin)}" $http_origin;`);
  lines.push('}');
  const list = (values: string[], what: string) =>
    values.map((v) => checked(v, /^[A-Za-z0-9*-]+$/, what)).join(', ');
  lines.push(
    'map "$request_method|$http_origin|$http_access_control_request_method" $gp_preflight {',
    '  default 0;',
    '  "~^OPTIONS\\|[^|]+\\|.+$" 1;',
    '}',
    'map $gp_cors_origin $gp_cors_vary { default Origin; "" ""; "*" ""; }',
    `map $gp_cors_origin $gp_cors_credentials { default ${cors.allowCredentials ? 'true' : '""'}; "" ""; }`,
    `map $gp_cors_origin $gp_cors_expose { default "${list(cors.exposeHeaders, 'cors.exposeHeaders')}"; "" ""; }`,
  );
  const preflight = {
    methods: list(cors.allowMethods, 'cors.allowMethods'),
    headers: list(cors.allowHeaders, 'cors.allowHeaders'),
    max_age: cors.maxAge === undefined ? '' : String(cors.maxAge),
  };
  for (const [name, value] of Object.entries(preflight)) {
    lines.push(`map "$gp_preflight|$gp_cors_origin" $gp_cors_${name} { default ""; "~^1\\|." "${value}"; }`);
  }
  return lines;
}

/** On every answer of a route, the gateway's own refusals included, so a browser can read why. */
export function corsHeaders(): string[] {
  return [
    'add_header Access-Control-Allow-Origin $gp_cors_origin always;',
    'add_header Access-Control-Allow-Credentials $gp_cors_credentials always;',
    'add_header Access-Control-Expose-Headers $gp_cors_expose always;',
    'add_header Access-Control-Allow-Methods $gp_cors_methods always;',
    'add_header Access-Control-Allow-Headers $gp_cors_headers always;',
    'add_header Access-Control-Max-Age $gp_cors_max_age always;',
    'add_header Vary $gp_cors_vary always;',
  ];
}
