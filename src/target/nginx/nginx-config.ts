import { join } from 'node:path';
import { checked } from '../config-values.js';
import {
  CORS_RESPONSE_HEADERS,
  GATEWAY_RESPONSES,
  type GatewayResponse,
  probePath,
  ROUTES,
} from '../gateway-routes.js';
import { PLAN } from '../plan-buckets.js';
import type { Profile } from '../profile-schema.js';
import type { NginxInstall } from './nginx-binary.js';
import { cacheHttp, cacheLocation } from './nginx-cache.js';
import { corsHeaders, corsMaps } from './nginx-cors.js';
import { JWT_CHALLENGE, jwtHttp, jwtLocations, jwtRoute } from './nginx-jwt.js';
import { keyMaps, throttleLimits, throttleZones } from './nginx-plans.js';
import { QUOTA_ACCESS_LUA, type QuotaLuaOptions, quotaInitLua } from './nginx-quota-lua.js';
import { block } from './nginx-syntax.js';

export interface NginxConfigInput {
  /** The resolved profile: keys, plans, cache and CORS settings, claimed features. */
  profile: Profile;
  /** The private directory holding the config, pid, logs, temp files and cache. */
  prefix: string;
  port: number;
  /** The probe, as host:port, that every route proxies to. */
  probe: string;
  modules: NginxInstall['modules'];
  /** When the usage plans were created (seconds since the epoch): a quota's offset applies to that period only. */
  plansCreatedAt: number;
  /** Set when nginx runs as root: its workers would otherwise drop to a user that cannot read the prefix. */
  user?: string;
}

/** API Gateway's gateway responses are served by internal locations, so each carries its own headers. */
const RESPONSE_PATH = '/__gateproof';
const respond = (name: GatewayResponse) => `${RESPONSE_PATH}/${name}`;

/**
 * Writes nginx.conf from a profile. Only loopback, only the prefix: nothing outside the private
 * directory is read or written, so runs never share state. Every value from the profile is
 * checked before it reaches the file, since a quote or brace in it would change the config.
 */
export function renderNginxConfig(input: NginxConfigInput): string {
  const { profile, prefix } = input;
  const stage = checked(profile.stage, /^[A-Za-z0-9_-]*$/, 'stage');
  const quota = quotaLua(input);
  const cache = claimed(profile, 'cache') ? profile.cache : undefined;
  const cors = claimed(profile, 'cors') ? profile.cors : undefined;
  const jwt = jwtOf(input);
  const http: string[] = [
    'access_log off;',
    'default_type application/json;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (t) => `${t}_temp_path ${join(prefix, 'temp', t)};`,
    ),
    // API Gateway's payload limit.
    'client_max_body_size 10m;',
    `upstream gp_probe { server ${checked(input.probe, /^[0-9.]+:\d+$/, 'probe address')}; keepalive 64; }`,
    // $request_id is 32 hex digits; API Gateway's request ids are UUIDs.
    'map $request_id $gp_request_id {',
    '  "~^(?<a>.{8})(?<b>.{4})(?<c>.{4})(?<d>.{4})(?<e>.{12})$" "$a-$b-$c-$d-$e";',
    '}',
    ...keyMaps(profile),
    ...throttleZones(profile),
    ...(cache ? cacheHttp(cache, prefix) : []),
    ...(cors ? corsMaps(cors) : []),
    ...(jwt ? jwtHttp(prefix) : []),
    ...(quota ? ['lua_shared_dict gp_quota 4m;', block('init_by_lua_block', [quotaInitLua(quota)])] : []),
  ];
  const locations = Object.entries(profile.routes)
    // Without its authorizer the JWT route would be an open one: it is left out instead.
    .filter(([role]) => ROUTES[role] !== undefined && (!ROUTES[role].jwt || jwt))
    .map(([role, path]) =>
      routeLocation(input, role, `${stage ? `/${stage}` : ''}${checkedPath(path, role)}`),
    );
  const responses = (Object.keys(GATEWAY_RESPONSES) as GatewayResponse[]).map((name) =>
    gatewayResponseLocation(name, cors !== undefined, name === 'unauthorized' && jwt ? [JWT_CHALLENGE] : []),
  );
  const server = [
    `listen 127.0.0.1:${input.port};`,
    ...locations,
    ...(jwt ? jwtLocations(jwt) : []),
    ...responses,
    '# API Gateway answers an unknown resource or method like a protected one.',
    block('location /', [...commonHeaders(), `rewrite ^ ${respond('missing-token')} last;`]),
  ];
  return `# Written by gateproof from the target profile "${checked(profile.name, /^[\w .-]+$/, 'name')}".
${[...(quota || jwt ? (input.modules.lua ?? []) : []), ...(jwt ? (input.modules.js ?? []) : [])].map((m) => `load_module ${m};`).join('\n')}
${input.user ? `user ${checked(input.user, /^[a-z_][a-z0-9_-]*$/, 'user')};` : ''}
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
pcre_jit on;
events { worker_connections 4096; }
${block('http', [...http, block('server', server)])}
`;
}

function claimed(profile: Profile, feature: Profile['features'][number]): boolean {
  return profile.features.includes(feature);
}

function routeLocation(input: NginxConfigInput, role: string, path: string): string {
  const { profile } = input;
  const route = ROUTES[role]!;
  const cors = claimed(profile, 'cors') && profile.cors !== undefined;
  const lines = [...commonHeaders(), ...(cors ? corsHeaders() : [])];
  // A preflight needs no credentials: it is answered before the key is asked for.
  if (cors) lines.push('if ($gp_preflight) { return 204; }');
  lines.push(
    `if ($request_method !~ ^(${route.methods.join('|')})$) { rewrite ^ ${respond('missing-token')} last; }`,
  );
  if (route.keyed && claimed(profile, 'apikey')) {
    lines.push(
      `if ($gp_key_ok = 0) { rewrite ^ ${respond('forbidden')} last; }`,
      ...throttleLimits(profile, role),
    );
    if (quotaLua(input)) lines.push(`access_by_lua_block { ${QUOTA_ACCESS_LUA} }`);
  }
  const jwt = route.jwt ? jwtOf(input) : undefined;
  if (jwt)
    lines.push(...jwtRoute(respond('unauthorized')), ...(input.modules.lua ? [STRIP_AUTHORIZER_LUA] : []));
  if (claimed(profile, 'cache') && profile.cache)
    lines.push(...cacheLocation(profile.cache, role, respond('forbidden')));
  if (cors) for (const h of CORS_RESPONSE_HEADERS) lines.push(`proxy_hide_header ${h};`);
  lines.push(
    `error_page 429 ${respond('throttled')};`,
    `error_page 502 ${respond('integration-failure')};`,
    `error_page 504 ${respond('integration-timeout')};`,
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'proxy_connect_timeout 5s;',
    // API Gateway's default integration timeout.
    'proxy_read_timeout 29s;',
    `proxy_pass http://gp_probe${probePath(role)};`,
  );
  return block(`location = ${path}`, lines);
}

/**
 * The integration must see the authorizer's context only as the gateway set it. nginx can replace
 * a header by name but not drop every header of a prefix, so a client's own `x-gp-authorizer-*`
 * (any name, any case) would ride through beside the claims; Lua clears them before the proxy
 * sets the claims. Without the Lua module the JWT route forwards them, and its spoofing cases say so.
 */
const STRIP_AUTHORIZER_LUA = `access_by_lua_block { for name in pairs(ngx.req.get_headers(0)) do if string.sub(string.lower(name), 1, 16) == 'x-gp-authorizer-' then ngx.req.clear_header(name) end end }`;

/** The quota's Lua, when the target claims a quota, the Lua module loads and the profile has a quota plan. */
function quotaLua(input: NginxConfigInput): QuotaLuaOptions | undefined {
  const quota = input.profile.plans.tinyQuota?.quota;
  if (!claimed(input.profile, 'quota') || !input.modules.lua || !quota) return undefined;
  return { quota, plan: PLAN.tiny, plansCreatedAt: input.plansCreatedAt, refusal: respond('limit-exceeded') };
}

/** The JWT authorizer, when the target claims it, the js module loads and the profile names the issuer. */
function jwtOf(input: NginxConfigInput): NonNullable<Profile['jwt']> | undefined {
  const { jwt } = input.profile;
  return claimed(input.profile, 'jwt') && input.modules.js && jwt ? jwt : undefined;
}

function gatewayResponseLocation(name: GatewayResponse, cors: boolean, extra: string[]): string {
  const r = GATEWAY_RESPONSES[name];
  const lines = ['internal;', ...commonHeaders(), ...(cors ? corsHeaders() : []), ...extra];
  if (r.type) lines.push(`add_header x-amzn-ErrorType ${r.type} always;`);
  lines.push(`return ${r.status} '{"message":${r.message}}';`);
  return block(`location = ${respond(name)}`, lines);
}

function commonHeaders(): string[] {
  return ['add_header x-amzn-RequestId $gp_request_id always;'];
}

function checkedPath(path: string, role: string): string {
  return checked(path, /^\/[A-Za-z0-9._~/-]*$/, `routes.${role}`);
}
