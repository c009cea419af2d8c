import { checked } from '../config-values.js';
import { probePath, ROUTES } from '../gateway-routes.js';
import type { Profile } from '../profile-schema.js';
import { cacheRequestRules, cacheResponseRules, cacheSections } from './haproxy-cache.js';
import { corsRequestRules, corsResponseRules } from './haproxy-cors.js';
import { type JwtKey, jwtRules } from './haproxy-jwt.js';
import { keyedRules, planTables } from './haproxy-plans.js';
import { gatewayError, gatewayReturn, section } from './haproxy-syntax.js';

export interface HaproxyConfigInput {
  /** The resolved profile: keys, plans, cache and CORS settings, claimed features. */
  profile: Profile;
  port: number;
  /** The probe, as host:port, that every route proxies to. */
  probe: string;
  /** The API keys' map file (see keysMap). */
  keysMap: string;
  /** The issuer's keys as PEM files, when the target claims jwt. */
  jwtKeys: readonly JwtKey[];
  /** When the usage plans were created (seconds since the epoch): a quota's offset applies to that period only. */
  plansCreatedAt: number;
}

const claimed = (profile: Profile, feature: Profile['features'][number]) =>
  profile.features.includes(feature);

/**
 * Writes haproxy.cfg from a profile: one frontend on loopback that names each request's route
 * (by path and method; anything else is "Missing Authentication Token"), answers CORS preflights,
 * and puts the request id and CORS headers on every answer; then a backend per route with its key,
 * throttle, quota, JWT and cache rules in front of the probe. Every value from the profile is
 * checked before it reaches the file, since a quote or space in it would change the config.
 */
export function renderHaproxyConfig(input: HaproxyConfigInput): string {
  const { profile } = input;
  const stage = checked(profile.stage, /^[A-Za-z0-9_-]*$/, 'stage');
  const probe = checked(input.probe, /^[0-9.]+:\d+$/, 'probe address');
  const cors = claimed(profile, 'cors') ? profile.cors : undefined;
  const cache = claimed(profile, 'cache') ? profile.cache : undefined;
  const jwt = claimed(profile, 'jwt') ? profile.jwt : undefined;
  const roles = Object.entries(profile.routes)
    // Without its authorizer the JWT route would be an open one: it is left out instead.
    .filter(([role]) => ROUTES[role] !== undefined && (!ROUTES[role].jwt || jwt))
    .map(([role, path]) => ({
      role,
      path: `${stage ? `/${stage}` : ''}${checked(path, /^\/[A-Za-z0-9._~/-]*$/, `routes.${role}`)}`,
    }));
  const frontend = [
    `bind 127.0.0.1:${input.port}`,
    // API Gateway's request ids are UUIDs.
    'unique-id-format %[uuid()]',
    // Only the gateway speaks for its authorizer (the probe contract): a client's claims are dropped.
    'http-request del-header x-gp-authorizer- -m beg',
    ...roles.map(({ role, path }) => `http-request set-var(txn.gp_role) str(${role}) if { path ${path} }`),
    ...(cors ? corsRequestRules(cors) : []),
    // API Gateway answers an unknown resource or method like a protected one.
    `http-request ${gatewayReturn('missing-token')} unless { var(txn.gp_role) -m found }`,
    ...roles.map(
      ({ role }) =>
        `http-request ${gatewayReturn('missing-token')} if { var(txn.gp_role) -m str ${role} } !{ method ${ROUTES[role]!.methods.join(' ')} }`,
    ),
    'http-after-response set-header x-amzn-RequestId %[unique-id]',
    ...(cors ? corsResponseRules(cors) : []),
    'use_backend gp_%[var(txn.gp_role)]',
  ];
  const backends = roles.map(({ role }) => {
    const route = ROUTES[role]!;
    const lines: string[] = [];
    if (route.keyed && claimed(profile, 'apikey'))
      lines.push(...keyedRules(profile, role, input.keysMap, input.plansCreatedAt));
    if (route.jwt && jwt) lines.push(...jwtRules(jwt, input.jwtKeys));
    if (cache) lines.push(...cacheRequestRules(cache, role));
    lines.push(`http-request set-path ${probePath(role)}`);
    if (cache) lines.push(...cacheResponseRules(cache, role));
    lines.push(`server probe ${probe}`);
    return section(`backend gp_${role}`, lines);
  });
  return `# Written by gateproof from the target profile "${checked(profile.name, /^[\w .-]+$/, 'name')}".
${section('global', [
  // One thread: a counter's check and its increment are never interleaved with another request's.
  'nbthread 1',
  'maxconn 4096',
])}

${section('defaults', [
  'mode http',
  'timeout connect 5s',
  'timeout client 30s',
  // API Gateway's default integration timeout.
  'timeout server 29s',
  'timeout http-request 10s',
  gatewayError('integration-failure'),
  gatewayError('integration-timeout'),
])}

${[...(cache ? cacheSections(cache) : []), ...planTables(profile)].join('\n\n')}

${section('frontend gp', frontend)}

${backends.join('\n\n')}
`;
}
