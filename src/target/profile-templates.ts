/**
 * The commented profiles `gateproof init KIND` writes: one per kind of gateway, every secret as
 * `${NAME}` so the file can be committed. Built from shared sections so a promise is described
 * once, whichever gateway makes it.
 */

export const INIT_KINDS = ['aws-rest', 'aws-http', 'nginx', 'haproxy', 'serverless-offline', 'url'] as const;
export type InitKind = (typeof INIT_KINDS)[number];

const SECRETS = `# Secrets come from the environment as \${NAME}, never from this file; every unset one is named
# in one error. Check the profile against the live gateway before a run:
#   gateproof doctor --target THIS_FILE`;

const DEPLOYED = `# Deploy gateproof's probe contract (src/contract/probe-api.yaml in the gateproof package) on
# the gateway, its integrations pointing at a probe you run with \`gateproof probe\`, which prints
# the probe and jwt sections below. What an integration must forward: docs/probe-contract.md.`;

const STARTED = (
  what: string,
) => `# gateproof starts ${what} itself, on loopback in front of its own probe, configured from this
# profile, and stops it after the run. Keys are generated at every start: none is listed here.`;

const PROBE = `# Where gateproof reads the probe's counters, directly (printed by \`gateproof probe\`).
probe:
  url: \${GATEPROOF_PROBE_URL}
  secret: \${GATEPROOF_PROBE_SECRET}`;

const KEYS = `apiKeys:
  valid: \${GP_KEY_VALID}
  # A second key on the same plan, for isolation checks.
  other: \${GP_KEY_OTHER}
  disabled: \${GP_KEY_DISABLED}
  # A key in a usage plan that does not include this stage (or declare other-stages unsupported).
  otherStage: \${GP_KEY_OTHER_STAGE}
  # Fresh keys on the tiny-quota plan, one per quota case: a used key stays used for the period.
  quota:
    - \${GP_KEY_QUOTA_1}
    - \${GP_KEY_QUOTA_2}
    - \${GP_KEY_QUOTA_3}
    - \${GP_KEY_QUOTA_4}
    - \${GP_KEY_QUOTA_5}`;

const PLANS = `plans:
  # The plan of apiKeys.valid and .other.
  default:
    throttle: { rateLimit: 1000, burstLimit: 500 }
  # The plan of apiKeys.quota.
  tinyQuota:
    quota: { limit: 5, period: DAY }
  # The method throttle of routes.throttled, which the load scenarios measure.
  throttled:
    throttle: { rateLimit: 200, burstLimit: 100 }`;

const SIGV4 = `# An IAM principal allowed execute-api:Invoke on the stage.
sigv4:
  region: eu-west-1
  accessKeyId: \${GP_SIGV4_ACCESS_KEY_ID}
  secretAccessKey: \${GP_SIGV4_SECRET_ACCESS_KEY}`;

const JWT_DEPLOYED = `# The issuer your JWT authorizer trusts: \`gateproof probe\`'s, so gateproof can mint tokens.
jwt:
  issuer: \${GATEPROOF_ISSUER_URL}
  audience: gateproof
  scopes: [gateproof/read]
  mint:
    url: \${GATEPROOF_ISSUER_URL}
    secret: \${GATEPROOF_PROBE_SECRET}`;

const JWT_BUILTIN = `# Tokens of gateproof's built-in issuer, started for the run.
jwt:
  issuer: builtin
  audience: gateproof
  scopes: [gateproof/read]`;

const AUTHORIZER = `# What your Lambda authorizer answers to (identity source: the Authorization header).
authorizer:
  tokens:
    allow: \${GP_AUTHORIZER_ALLOW}
    deny: \${GP_AUTHORIZER_DENY}
    unauthorized: \${GP_AUTHORIZER_UNAUTHORIZED}
  # The TTL of the cached REQUEST authorizer on routes.authorizerRequest.
  resultTtlSeconds: 2`;

const CORS = `cors:
  allowOrigins: [https://app.example.com, "https://*.example.com"]
  allowMethods: [GET, POST]
  allowHeaders: [content-type, authorization, x-api-key, x-gp-nonce]
  exposeHeaders: [x-gp-version]
  maxAge: 600
  allowCredentials: true`;

const CACHE = `cache:
  ttlSeconds: 300
  # The query parameters declared as cache keys on routes.cached.
  keyParameters: [id]
  shortTtlSeconds: 2`;

const UNSUPPORTED = `# Parts of a claimed feature this gateway does not offer: their cases skip, with the reason.
# unsupported: [other-stages, wildcard-origins, authorizer-cache]`;

function head(title: string, lines: Record<string, string>): string {
  return [`# ${title}`, ...Object.entries(lines).map(([k, v]) => `${k}: ${v}`)].join('\n');
}

const RELEASE = [
  '# Stages and canary releases (features stages, canary): deploy src/contract/release-api.yaml on two',
  '# stages (stage variables probeUrl, backend, color; a cache cluster on the main stage only; usage',
  '# plans as in the README), add stages and canary to features, and uncomment. The suites deploy,',
  '# roll back and promote through the control plane, and put back what they changed.',
  '# release:',
  '#   baseUrl: https://def456.execute-api.eu-west-1.amazonaws.com',
  '#   stages: { main: prod, other: beta }',
  '#   controlPlane: https://apigateway.eu-west-1.amazonaws.com',
  '#   restApiId: def456',
  '#   releaseResourceId: a1b2c3   # the resource id of /release',
  '#   region: eu-west-1',
  '#   deployer: { accessKeyId: ${GP_DEPLOYER_KEY_ID}, secretAccessKey: ${GP_DEPLOYER_SECRET} }',
  '#   apiKeys: { bothStages: ${GP_RELEASE_KEY_BOTH}, mainOnly: ${GP_RELEASE_KEY_MAIN}, throttled: ${GP_RELEASE_KEY_THROTTLED} }',
  "#   throttle: { rateLimit: 1, burstLimit: 2 }   # the main stage's throttle of GET /release/keyed for the throttled key",
].join('\n');

const TEMPLATES: Record<InitKind, string[]> = {
  'aws-rest': [
    head('Amazon API Gateway, REST API (v1)', {
      name: 'my-rest-api',
      kind: 'url',
      vendor: 'aws',
      version: 'rest-v1',
      mode: 'rest',
    }),
    DEPLOYED,
    SECRETS,
    '# aws: exact AWS bodies and headers; generic: status codes and safety only.\nprofile: aws',
    'baseUrl: https://abc123.execute-api.eu-west-1.amazonaws.com\nstage: staging',
    '# What the gateway promises; the cases of a feature not listed are skipped.\nfeatures: [apikey, quota, throttle, sigv4, jwt, authorizer, cors, cache]',
    UNSUPPORTED,
    PROBE,
    KEYS,
    PLANS,
    SIGV4,
    JWT_DEPLOYED,
    AUTHORIZER,
    CORS,
    CACHE,
    RELEASE,
  ],
  'aws-http': [
    head('Amazon API Gateway, HTTP API (v2)', {
      name: 'my-http-api',
      kind: 'url',
      vendor: 'aws',
      version: 'http-v2',
      mode: 'http',
    }),
    DEPLOYED,
    SECRETS,
    'profile: aws',
    'baseUrl: https://abc123.execute-api.eu-west-1.amazonaws.com\n# Empty for the $default stage.\nstage: ""',
    '# HTTP APIs have no API keys, usage plans or stage cache.\nfeatures: [sigv4, jwt, authorizer, cors]',
    UNSUPPORTED,
    PROBE,
    SIGV4,
    JWT_DEPLOYED,
    AUTHORIZER,
    CORS,
  ],
  nginx: [
    head('nginx', { name: 'nginx-local', kind: 'nginx' }),
    STARTED('nginx'),
    '# Where nginx listens: 127.0.0.1 only; port 0 picks a free one.\nbaseUrl: http://127.0.0.1:0\nstage: test',
    'profile: generic',
    '# nginx never claims sigv4 or authorizer; quota needs its Lua module, jwt its js module.\nfeatures: [apikey, throttle, quota, jwt, cache, cors, cors-browser]',
    PLANS,
    JWT_BUILTIN,
    CORS,
    CACHE,
  ],
  haproxy: [
    head('HAProxy', { name: 'haproxy-local', kind: 'haproxy' }),
    STARTED('HAProxy'),
    'baseUrl: http://127.0.0.1:0\nstage: test',
    'profile: generic',
    '# What HAProxy cannot honour is skipped with the reason.\nfeatures: [apikey, throttle, jwt, cache, cors, cors-browser]',
    PLANS,
    JWT_BUILTIN,
    CORS,
    CACHE,
  ],
  'serverless-offline': [
    head('serverless-offline (API Gateway and Lambda emulated)', {
      name: 'serverless-offline-local',
      kind: 'serverless-offline',
    }),
    STARTED('serverless-offline'),
    'baseUrl: http://127.0.0.1:0\nstage: test',
    'profile: aws',
    'features: [apikey, authorizer, jwt, cors]',
    JWT_BUILTIN,
    CORS,
  ],
  url: [
    head('Any gateway you deployed', {
      name: 'my-gateway',
      kind: 'url',
      vendor: 'unknown',
      version: 'unknown',
      mode: 'rest',
    }),
    DEPLOYED,
    SECRETS,
    '# generic: status codes and safety; aws: exact AWS bodies and headers.\nprofile: generic',
    'baseUrl: https://gateway.example.com\n# The path prefix before the contract\'s routes, if any.\nstage: ""',
    '# What the gateway promises; the cases of a feature not listed are skipped.\nfeatures: [apikey, jwt, cors]',
    UNSUPPORTED,
    PROBE,
    '# Only the keys the features need; a case needing one that is absent says so.\napiKeys:\n  valid: ${GP_KEY_VALID}\n  disabled: ${GP_KEY_DISABLED}',
    JWT_DEPLOYED,
    CORS,
  ],
};

export function profileTemplate(kind: InitKind): string {
  return `${TEMPLATES[kind].join('\n\n')}\n`;
}
