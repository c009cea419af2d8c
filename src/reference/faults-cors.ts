import type { Fault } from './fault.js';

/** Faults of CORS: what a browser is allowed or refused, and the headers that decide it. */
export const CORS_FAULTS = [
  {
    name: 'cors-reflect-any-origin',
    description: 'every Origin is echoed back as allowed, whatever the allow-list says',
    breaks: [
      'cors.preflight.disallowed-origin',
      'cors.actual.disallowed-origin',
      'cors.origin.null',
      'cors.origin.wildcard-lookalike',
      'cors.origin.suffix-appended',
      'cors.origin.truncated',
      'cors.origin.scheme-downgraded',
      'cors.origin.port-added',
      'cors.origin.dot-as-any-char',
      'cors.origin.wildcard-suffix-appended',
      'cors.origin.wildcard-scheme-downgraded',
      'cors.errors.gateway-403-disallowed-origin',
      'cors.browser.simple-get-disallowed-origin',
      'cors.browser.preflight-disallowed-origin',
    ],
  },
  {
    name: 'cors-wildcard-with-credentials',
    description: 'an allowed origin gets Access-Control-Allow-Origin: * while credentials are allowed',
    breaks: ['cors.credentials.no-wildcard', 'cors.credentials.allowed', 'cors.browser.credentials'],
  },
  {
    name: 'cors-no-vary',
    description: 'an echoed origin comes without Vary: Origin',
    breaks: ['cors.vary.preflight', 'cors.vary.actual', 'cors.vary.extended'],
  },
  {
    name: 'cors-vary-replaced',
    description: "Vary: Origin replaces the backend's Vary instead of extending it",
    breaks: ['cors.vary.extended'],
  },
  {
    name: 'cors-preflight-requires-auth',
    description: 'a preflight is authorized like the method it asks about, so it needs a key or signature',
    breaks: [
      'cors.preflight.keyed-route',
      'cors.preflight.iam-route',
      'cors.preflight.jwt-route',
      'cors.browser.keyed-preflight',
    ],
  },
  {
    name: 'cors-preflight-not-answered',
    description:
      'the gateway does not answer preflights: OPTIONS is routed like any method and refused (with CORS headers, as a gateway response)',
    breaks: [
      'cors.preflight.status',
      'cors.preflight.allow-methods',
      'cors.preflight.allow-headers',
      'cors.preflight.max-age',
      'cors.preflight.keyed-route',
      'cors.preflight.iam-route',
      'cors.preflight.jwt-route',
      'cors.browser.preflight-custom-header',
      'cors.browser.keyed-preflight',
    ],
  },
  {
    name: 'cors-preflight-no-allow-origin',
    description:
      'a preflight answer lists methods and headers but no Access-Control-Allow-Origin (a mock whose response mapping forgot it)',
    breaks: [
      'cors.preflight.allow-origin',
      'cors.preflight.keyed-route',
      'cors.preflight.iam-route',
      'cors.preflight.jwt-route',
      'cors.browser.preflight-custom-header',
      'cors.browser.keyed-preflight',
    ],
  },
  {
    name: 'cors-preflight-any-method',
    description: 'a preflight allows whatever method it asks for',
    breaks: ['cors.preflight.disallowed-method', 'cors.browser.disallowed-method'],
  },
  {
    name: 'cors-preflight-any-header',
    description: 'a preflight allows whatever headers it asks for',
    breaks: [
      'cors.preflight.disallowed-header',
      'cors.preflight.header-prefix',
      'cors.preflight.disallowed-header-in-list',
      'cors.browser.preflight-unlisted-header',
    ],
  },
  {
    name: 'cors-max-age-missing',
    description: 'a preflight answer carries no Access-Control-Max-Age',
    breaks: ['cors.preflight.max-age'],
  },
  {
    name: 'cors-expose-headers-missing',
    description: 'actual responses carry no Access-Control-Expose-Headers',
    breaks: ['cors.actual.expose-headers', 'cors.browser.exposed-header'],
  },
  {
    name: 'cors-actual-no-headers',
    description: 'only preflights get CORS headers; actual responses get none',
    breaks: [
      'cors.actual.allow-origin',
      'cors.actual.expose-headers',
      'cors.credentials.allowed',
      'cors.origin.wildcard-subdomain',
      'cors.errors.gateway-403',
      'cors.errors.gateway-429',
      'cors.errors.gateway-401',
      'cors.errors.gateway-500',
      'cors.browser.simple-get',
      'cors.browser.preflight-custom-header',
      'cors.browser.credentials',
      'cors.browser.exposed-header',
      'cors.browser.keyed-preflight',
    ],
  },
  {
    name: 'cors-credentials-missing',
    description: 'allowCredentials is configured but Access-Control-Allow-Credentials is never sent',
    breaks: ['cors.credentials.allowed', 'cors.browser.credentials'],
  },
  {
    name: 'cors-wildcard-suffix-match',
    description:
      'a wildcard origin is matched as a bare suffix, so https://evil-example.com passes for https://*.example.com',
    breaks: ['cors.origin.wildcard-lookalike', 'cors.origin.dot-as-any-char'],
  },
  {
    name: 'cors-wildcard-patterns-ignored',
    description: 'wildcard entries of allowOrigins match nothing; only exact origins are allowed',
    breaks: ['cors.origin.wildcard-subdomain'],
  },
  {
    name: 'cors-null-origin-allowed',
    description: 'Origin: null (sandboxed frames, file: pages) is granted access',
    breaks: ['cors.origin.null'],
  },
  {
    name: 'cors-headers-without-origin',
    description: 'responses to requests without Origin carry Access-Control-Allow-Origin: *',
    breaks: ['cors.actual.no-origin'],
  },
  {
    name: 'cors-gateway-responses-bare',
    description: "the gateway's own 4XX responses carry no CORS headers (the AWS default)",
    breaks: [
      'cors.errors.gateway-403',
      'cors.errors.gateway-429',
      'cors.errors.gateway-401',
      'cors.errors.gateway-500',
    ],
  },
  {
    name: 'cors-origin-prefix-match',
    description:
      'an origin is allowed when it starts with an allowed one, so https://app.example.com.evil.test passes',
    breaks: ['cors.origin.suffix-appended', 'cors.origin.port-added'],
  },
  {
    name: 'cors-origin-substring',
    description:
      'an origin is allowed when an allowed one contains it (a string search), so a truncated origin passes',
    breaks: ['cors.origin.truncated'],
  },
  {
    name: 'cors-origin-host-only',
    description:
      'origins are compared by host alone, so another scheme or port of an allowed host passes (the disallowed page on another loopback port included)',
    breaks: [
      'cors.origin.scheme-downgraded',
      'cors.origin.port-added',
      'cors.origin.wildcard-scheme-downgraded',
      'cors.browser.simple-get-disallowed-origin',
      'cors.browser.preflight-disallowed-origin',
    ],
  },
  {
    name: 'cors-origin-regex-unescaped',
    description:
      'allowed origins are matched as regular expressions with their dots unescaped, so a dot matches any character',
    breaks: ['cors.origin.dot-as-any-char'],
  },
  {
    name: 'cors-wildcard-unanchored',
    description:
      'a wildcard origin is matched by a pattern open at its end, so anything appended to an allowed subdomain (a domain, a port) passes',
    breaks: ['cors.origin.wildcard-suffix-appended', 'cors.origin.suffix-appended', 'cors.origin.port-added'],
  },
  {
    name: 'cors-preflight-header-prefix',
    description: 'a requested header that starts with an allowed one (x-api-key-extra) is allowed too',
    breaks: ['cors.preflight.header-prefix'],
  },
  {
    name: 'cors-preflight-first-header-only',
    description:
      'only the first requested header is checked; when it is allowed, the whole requested list is',
    breaks: ['cors.preflight.disallowed-header-in-list'],
  },
  {
    name: 'cors-gateway-401-bare',
    description:
      'the 401 the gateway makes itself carries no CORS headers (set on the named responses, not on DEFAULT_4XX)',
    breaks: ['cors.errors.gateway-401'],
  },
  {
    name: 'cors-gateway-5xx-bare',
    description: "the gateway's own 5XX responses carry no CORS headers (DEFAULT_5XX left without them)",
    breaks: ['cors.errors.gateway-500'],
  },
  {
    name: 'cors-gateway-responses-wildcard',
    description:
      "the gateway's own responses carry Access-Control-Allow-Origin: * for any origin, as a static response header",
    breaks: ['cors.errors.gateway-403-disallowed-origin'],
  },
] as const satisfies readonly Fault[];
