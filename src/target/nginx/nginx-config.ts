import { join } from 'node:path';
import { UsageError } from '../../usage-error.js';
import type { Profile, Throttle } from '../profile-schema.js';
import type { NginxInstall } from './nginx-binary.js';
import { QUOTA_ACCESS_LUA, type QuotaLuaOptions, quotaInitLua } from './nginx-quota-lua.js';

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

/** Roles whose routes need a key in a usage plan for this stage. */
const KEYED = new Set(['keyed', 'quota', 'throttled']);
/** Methods of each role's route, as in the contract; anything else is "Missing Authentication Token". */
const METHODS: Record<string, string[]> = {
  open: ['GET', 'POST'],
  keyed: ['GET'],
  quota: ['GET'],
  throttled: ['GET'],
  cached: ['GET', 'POST'],
};

/** API Gateway's gateway responses, served by internal locations so each carries its own headers. */
const GATEWAY_RESPONSES = {
  forbidden: { status: 403, type: 'ForbiddenException', message: '"Forbidden"' },
  'missing-token': {
    status: 403,
    type: 'MissingAuthenticationTokenException',
    message: '"Missing Authentication Token"',
  },
  throttled: { status: 429, type: 'TooManyRequestsException', message: '"Too Many Requests"' },
  'limit-exceeded': { status: 429, type: 'LimitExceededException', message: '"Limit Exceeded"' },
  'integration-failure': { status: 502, type: '', message: '"Internal server error"' },
  'integration-timeout': { status: 504, type: '', message: '"Endpoint request timed out"' },
} as const;
type GatewayResponse = keyof typeof GATEWAY_RESPONSES;
const RESPONSE_PATH = '/__gateproof';

/** Plans by the name the key map gives them; only keys in a plan for this stage are admitted. */
const PLAN = { default: 'plan-default', tiny: 'plan-tiny' } as const;

/**
 * Writes nginx.conf from a profile. Only loopback, only the prefix: nothing outside the private
 * directory is read or written, so runs never share state. Every value from the profile is
 * checked before it reaches the file, since a quote or brace in it would change the config.
 */
export function renderNginxConfig(input: NginxConfigInput): string {
  const { profile, prefix } = input;
  const claims = new Set(profile.features);
  const stage = checked(profile.stage, /^[A-Za-z0-9_-]*$/, 'stage');
  const quota = quotaLua(input);
  const http: string[] = [
    'access_log off;',
    'default_type application/json;',
    'charset_types application/json;',
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
    ...(claims.has('cache') && profile.cache && profile.cache.ttlSeconds > 0
      ? cacheHttp(profile, prefix)
      : []),
    ...(claims.has('cors') && profile.cors ? corsMaps(profile.cors) : []),
    ...(quota ? ['lua_shared_dict gp_quota 4m;', `init_by_lua_block {\n${quotaInitLua(quota)}\n}`] : []),
  ];
  const locations = Object.entries(profile.routes)
    .filter(([role]) => METHODS[role] !== undefined)
    .map(([role, path]) =>
      routeLocation(input, role, `${stage ? `/${stage}` : ''}${checkedPath(path, role)}`),
    );
  return `# Written by gateproof from the target profile "${checked(profile.name, /^[\w .-]+$/, 'name')}".
${(quota ? (input.modules.lua ?? []) : []).map((m) => `load_module ${m};`).join('\n')}
${input.user ? `user ${checked(input.user, /^[a-z_][a-z0-9_-]*$/, 'user')};` : ''}
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
pcre_jit on;
events { worker_connections 4096; }
http {
${indent(http, 1)}
  server {
    listen 127.0.0.1:${input.port};
${indent(locations, 2)}
${indent((Object.keys(GATEWAY_RESPONSES) as GatewayResponse[]).map(gatewayResponseLocation), 2)}
    # API Gateway answers an unknown resource or method like a protected one.
    location / {
${indent(commonHeaders(), 3)}
      rewrite ^ ${RESPONSE_PATH}/missing-token last;
    }
  }
}
`;
}

function routeLocation(input: NginxConfigInput, role: string, path: string): string {
  const { profile } = input;
  const claims = new Set(profile.features);
  const cors = claims.has('cors') && profile.cors !== undefined;
  const keyed = KEYED.has(role) && claims.has('apikey');
  const lines = [...commonHeaders(), ...(cors ? corsHeaders() : [])];
  // A preflight needs no credentials: it is answered before the key is asked for.
  if (cors) lines.push('if ($gp_preflight) { return 204; }');
  lines.push(
    `if ($request_method !~ ^(${METHODS[role]!.join('|')})$) { rewrite ^ ${RESPONSE_PATH}/missing-token last; }`,
  );
  if (keyed) {
    lines.push(`if ($gp_key_ok = 0) { rewrite ^ ${RESPONSE_PATH}/forbidden last; }`);
    lines.push(...throttleLimits(profile));
    if (quotaLua(input)) lines.push(`access_by_lua_block { ${QUOTA_ACCESS_LUA} }`);
  }
  if (role === 'cached' && claims.has('cache') && profile.cache && profile.cache.ttlSeconds > 0) {
    lines.push(...cacheLocation(profile.cache));
  }
  if (cors) {
    // Like an HTTP API's built-in CORS, the gateway's settings win over the backend's.
    for (const h of CORS_RESPONSE_HEADERS) lines.push(`proxy_hide_header ${h};`);
  }
  lines.push(
    `error_page 429 ${RESPONSE_PATH}/throttled;`,
    `error_page 502 ${RESPONSE_PATH}/integration-failure;`,
    `error_page 504 ${RESPONSE_PATH}/integration-timeout;`,
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'proxy_connect_timeout 5s;',
    // API Gateway's default integration timeout.
    'proxy_read_timeout 29s;',
    `proxy_pass http://gp_probe/${role};`,
  );
  return `location = ${path} {\n${indent(lines, 1)}\n}`;
}

/** The quota's Lua, when the target claims a quota, the Lua module loads and the profile has a quota plan. */
function quotaLua(input: NginxConfigInput): QuotaLuaOptions | undefined {
  const quota = input.profile.plans.tinyQuota?.quota;
  if (!input.profile.features.includes('quota') || !input.modules.lua || !quota) return undefined;
  return {
    quota,
    plan: PLAN.tiny,
    plansCreatedAt: input.plansCreatedAt,
    refusal: `${RESPONSE_PATH}/limit-exceeded`,
  };
}

function gatewayResponseLocation(name: GatewayResponse): string {
  const r = GATEWAY_RESPONSES[name];
  const lines = ['internal;', ...commonHeaders()];
  if (r.type) lines.push(`add_header x-amzn-ErrorType ${r.type} always;`);
  lines.push(`return ${r.status} '{"message":${r.message}}';`);
  return `location = ${RESPONSE_PATH}/${name} {\n${indent(lines, 1)}\n}`;
}

function commonHeaders(): string[] {
  return ['add_header x-amzn-RequestId $gp_request_id always;'];
}

/**
 * Keys are matched as case-sensitive regular expressions: nginx matches a map's plain strings
 * without regard to case, and a wrongly-cased key must be an unknown key.
 */
function keyMaps(profile: Profile): string[] {
  const keys = profile.apiKeys;
  if (!keys) return ['map "" $gp_plan { default ""; }', 'map "" $gp_key_ok { default 0; }'];
  const entries: Array<[string | undefined, string]> = [
    [keys.valid, PLAN.default],
    [keys.other, PLAN.default],
    [keys.disabled, 'disabled'],
    [keys.otherStage, 'other-stage'],
    ...keys.quota.map((k) => [k, PLAN.tiny] as [string, string]),
    ...(keys.quotaPair ?? []).map((k) => [k, PLAN.tiny] as [string, string]),
  ];
  const lines = ['map $http_x_api_key $gp_plan {', '  default "";'];
  const seen = new Set<string>();
  for (const [key, plan] of entries) {
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    lines.push(`  "~^${regexLiteral(apiKeyValue(key))}$" ${plan};`);
  }
  lines.push('}');
  lines.push('map $gp_plan $gp_key_ok {', '  default 0;', `  ${PLAN.default} 1;`, `  ${PLAN.tiny} 1;`, '}');
  return lines;
}

function apiKeyValue(key: string): string {
  // The value never appears in the message: it is a secret.
  if (!/^[A-Za-z0-9._~+/=-]{1,512}$/.test(key)) {
    throw new UsageError('apiKeys: nginx takes keys made of letters, digits and ._~+/=- only');
  }
  return key;
}

function planThrottles(profile: Profile): Array<{ plan: string; zone: string; throttle: Throttle }> {
  const out: Array<{ plan: string; zone: string; throttle: Throttle }> = [];
  const def = profile.plans.default?.throttle;
  const tiny = profile.plans.tinyQuota?.throttle;
  if (def) out.push({ plan: PLAN.default, zone: 'gp_plan_default', throttle: def });
  if (tiny) out.push({ plan: PLAN.tiny, zone: 'gp_plan_tiny', throttle: tiny });
  return out;
}

/** One zone per usage plan, keyed by the API key, so every key has its own bucket as in a usage plan. */
function throttleZones(profile: Profile): string[] {
  if (!profile.features.includes('throttle')) return [];
  const lines = ['limit_req_status 429;', 'limit_req_log_level warn;'];
  for (const { plan, zone, throttle } of planThrottles(profile)) {
    lines.push(
      `map $gp_plan $${zone}_key { default ""; ${plan} $http_x_api_key; }`,
      `limit_req_zone $${zone}_key zone=${zone}:4m rate=${nginxRate(throttle.rateLimit)};`,
    );
  }
  return lines;
}

/**
 * limit_req with `nodelay` admits burst + 1 requests at once and then one per 1/rate: a token
 * bucket whose size is burst + 1, hence burstLimit - 1.
 */
function throttleLimits(profile: Profile): string[] {
  if (!profile.features.includes('throttle')) return [];
  return planThrottles(profile).map(
    ({ zone, throttle }) => `limit_req zone=${zone} burst=${Math.max(0, throttle.burstLimit - 1)} nodelay;`,
  );
}

/** nginx takes whole requests per second or per minute. */
function nginxRate(rate: number): string {
  if (Number.isInteger(rate)) return `${rate}r/s`;
  return `${Math.max(1, Math.round(rate * 60))}r/m`;
}

function cacheHttp(profile: Profile, prefix: string): string[] {
  const ttl = profile.cache!.ttlSeconds;
  return [
    `proxy_cache_path ${join(prefix, 'cache')} levels=1:2 keys_zone=gp_cache:8m max_size=256m inactive=${ttl}s use_temp_path=off;`,
    // `Cache-Control: max-age=0` asks for a fresh answer, as API Gateway's client invalidation does.
    'map $http_cache_control $gp_cache_refresh {',
    '  default 0;',
    '  "~*(^|[,\\s])max-age\\s*=\\s*0+\\s*(,|$)" 1;',
    '}',
  ];
}

function cacheLocation(cache: NonNullable<Profile['cache']>): string[] {
  const params = cache.keyParameters.map((p) => {
    checked(p, /^[A-Za-z0-9_]+$/, 'cache.keyParameters');
    return `${p}=$arg_${p}`;
  });
  const lines = [
    'proxy_cache gp_cache;',
    // The declared key parameters and nothing else, as in a stage cache.
    `proxy_cache_key "$request_method|cached|${params.join('&')}";`,
    `proxy_cache_valid 200 ${cache.ttlSeconds}s;`,
    // The stage cache keeps an answer for its TTL whatever the origin says about it.
    'proxy_ignore_headers Cache-Control Expires Set-Cookie Vary X-Accel-Expires;',
  ];
  // nginx authorizes nobody to invalidate, so when authorization is required no caller may.
  if (!cache.requireAuthorizationForCacheControl) lines.push('proxy_cache_bypass $gp_cache_refresh;');
  else if (cache.unauthorizedStrategy === 'FAIL_WITH_403') {
    lines.push(`if ($gp_cache_refresh) { rewrite ^ ${RESPONSE_PATH}/forbidden last; }`);
  }
  return lines;
}

const CORS_RESPONSE_HEADERS = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
  'Access-Control-Expose-Headers',
  'Access-Control-Max-Age',
];

/**
 * `$gp_cors_origin` is the Access-Control-Allow-Origin to send, empty for a request without an
 * allowed Origin (so no CORS header at all); preflight-only headers go only on preflights.
 */
function corsMaps(cors: NonNullable<Profile['cors']>): string[] {
  const echo = cors.allowCredentials ? '$http_origin' : '"*"';
  const lines = [
    'map $http_origin $gp_cors_origin {',
    `  default ${cors.allowOrigins.includes('*') ? echo : '""'};`,
  ];
  lines.push('  "" "";');
  for (const origin of cors.allowOrigins) {
    if (origin === '*') continue;
    const wildcard = /^(https?):\/\/\*$/.exec(origin);
    const pattern = wildcard
      ? `^${wildcard[1]}://[^/]+$`
      : `^${regexLiteral(checked(origin, /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'cors.allowOrigins'))}$`;
    lines.push(`  "~${pattern}" $http_origin;`);
  }
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
  // Preflight-only headers: sent on a preflight from an allowed origin, and an empty value sends none.
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

function corsHeaders(): string[] {
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

function checked(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value))
    throw new UsageError(`${what}: ${JSON.stringify(value)} cannot go into an nginx config`);
  return value;
}

function checkedPath(path: string, role: string): string {
  return checked(path, /^\/[A-Za-z0-9._~/-]*$/, `routes.${role}`);
}

/** A literal for a PCRE pattern: the values are already limited to characters nginx passes through. */
function regexLiteral(text: string): string {
  return text.replace(/[.+*?^$()[\]{}|\\/]/g, '\\$&');
}

function indent(blocks: readonly string[], level: number): string {
  const pad = '  '.repeat(level);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((line) => (line ? pad + line : line))
    .join('\n');
}
