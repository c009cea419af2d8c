import { randomBytes } from 'node:crypto';
import type { Exchange } from '../src/contract/typed-client.js';
import { SetupFailure } from '../src/run/case-meta.js';
import type { Feature, Profile } from '../src/target/profile-schema.js';
import {
  type Cors,
  corsOf,
  exactOrigin,
  expectAllowedByBrowser,
  expectBlockedByBrowser,
  expectGranted,
  expectListed,
  expectNotGranted,
  expectNotListed,
  expectVaryWhenEchoed,
  list,
  wildcardPattern,
} from './cors-expectations.js';
import { expectNotReached, expectReached, expectRefused, REJECT, type Rejection } from './expectations.js';
import { type CaseBody, type CaseFixtures, expect, gateCase, test } from './fixtures.js';

/**
 * CORS, checked twice. At the header level: what the gateway answers a preflight and an actual
 * request, from allowed and refused origins. In a real browser: a page on one of gateproof's
 * loopback origins calls the gateway with fetch, and Chromium itself allows or blocks it.
 */

const REF = 'aws-semantics.md#cors';
const FETCH = 'https://fetch.spec.whatwg.org/#http-cors-protocol';
const SIMPLE_METHODS = ['GET', 'HEAD', 'POST'];

type Client = CaseFixtures['client'];

function preflight(
  client: Client,
  path: string,
  nonce: string,
  origin: string,
  method: string,
  requestHeaders?: string,
): Promise<Exchange> {
  return client.raw('OPTIONS', path, {
    query: { gpn: nonce },
    headers: {
      origin,
      'access-control-request-method': method,
      ...(requestHeaders ? { 'access-control-request-headers': requestHeaders } : {}),
    },
  });
}

/** A method the preflight should be asked about: a configured one, preferably not CORS-safelisted. */
/**
 * A preflight any correct gateway grants: to the open route, from the allowed exact origin, for an
 * allowed method; only the requested headers vary.
 */
function openPreflight(
  client: Client,
  target: Profile,
  nonce: string,
  requestHeaders?: string,
): Promise<Exchange> {
  const cors = corsOf(target);
  return preflight(client, target.routes.open, nonce, exactOrigin(cors), askedMethod(cors), requestHeaders);
}

function askedMethod(cors: Cors): string {
  return (
    cors.allowMethods.find((m) => !SIMPLE_METHODS.includes(m) && m !== '*') ?? cors.allowMethods[0] ?? 'GET'
  );
}

function askedHeader(cors: Cors): string {
  const header = cors.allowHeaders.find((h) => h !== '*');
  if (!header) throw new SetupFailure('cors.allowHeaders lists no header to ask for');
  return header.toLowerCase();
}

function refusedMethod(cors: Cors): string {
  if (cors.allowMethods.includes('*')) throw new SetupFailure('cors.allowMethods allows every method');
  const method = ['DELETE', 'PUT', 'PATCH'].find((m) => !cors.allowMethods.includes(m));
  if (!method) throw new SetupFailure('cors.allowMethods allows DELETE, PUT and PATCH alike');
  return method;
}

function refusedHeader(cors: Cors): string {
  if (cors.allowHeaders.includes('*')) throw new SetupFailure('cors.allowHeaders allows every header');
  return `x-gp-unlisted-${randomBytes(3).toString('hex')}`;
}

/** `https://app.example.com` → `http://app.example.com`, and back: the other scheme of an origin. */
const otherScheme = (origin: string) =>
  origin.startsWith('https:') ? origin.replace(/^https:/, 'http:') : origin.replace(/^http:/, 'https:');

/** The origin on another port than its own (or its default). */
const otherPort = (origin: string) =>
  /:\d+$/.test(origin) ? origin.replace(/:(\d+)$/, (_m, p) => `:${Number(p) + 1}`) : `${origin}:8443`;

/** A subdomain the wildcard pattern allows, fresh for each case. */
const underWildcard = (cors: Cors) =>
  wildcardPattern(cors).replace('*', `gp${randomBytes(3).toString('hex')}`);

/**
 * Origins that are almost allowed ones, the way origin checks go almost right: a prefix or substring
 * test, a comparison of hosts alone, a regular expression with its dots unescaped or its end open.
 * Each must be refused; the allowed origin it is made from must not be reachable from it.
 */
const nearOrigins: { name: string; title: string; origin: (cors: Cors) => string }[] = [
  {
    name: 'suffix-appended',
    title: 'an allowed origin with another domain appended (https://app.example.com.evil.test) is refused',
    origin: (cors) => `${exactOrigin(cors)}.evil.test`,
  },
  {
    name: 'truncated',
    title: 'an allowed origin missing its last character is refused',
    origin: (cors) => exactOrigin(cors).slice(0, -1),
  },
  {
    name: 'scheme-downgraded',
    title: 'an allowed origin with the other scheme (http for https) is refused',
    origin: (cors) => otherScheme(exactOrigin(cors)),
  },
  {
    name: 'port-added',
    title: 'an allowed origin on another port is refused',
    origin: (cors) => otherPort(exactOrigin(cors)),
  },
  {
    name: 'dot-as-any-char',
    title:
      'an origin that differs from an allowed one where a dot stands (https://appxexample.com) is refused',
    origin: (cors) => exactOrigin(cors).replace(/^([a-z]+:\/\/[^.]*)\./, '$1x'),
  },
  {
    name: 'wildcard-suffix-appended',
    title:
      'a subdomain of a wildcard origin with another domain appended (https://a.example.com.evil.test) is refused',
    origin: (cors) => `${underWildcard(cors)}.evil.test`,
  },
  {
    name: 'wildcard-scheme-downgraded',
    title: 'a subdomain of a wildcard origin with the other scheme is refused',
    origin: (cors) => otherScheme(underWildcard(cors)),
  },
];

const corsCase = (
  meta: { id: string; title: string; level?: 'core' | 'check'; features?: Feature[]; refs?: string[] },
  body: CaseBody,
) =>
  gateCase(
    {
      level: 'core',
      ...meta,
      features: ['cors', ...(meta.features ?? [])],
      refs: [REF, ...(meta.refs ?? [FETCH])],
    },
    body,
  );

test.describe('cors', () => {
  corsCase(
    {
      id: 'cors.preflight.status',
      title:
        'a preflight from an allowed origin is answered 200 or 204 by the gateway, never reaching the integration',
    },
    async ({ client, target, probe, nonce }) => {
      const res = await openPreflight(client, target, nonce);
      expect([200, 204]).toContain(res.status);
      await expectNotReached(probe, nonce);
    },
  );

  corsCase(
    {
      id: 'cors.preflight.allow-origin',
      title: 'a preflight from an allowed origin gets Access-Control-Allow-Origin for it',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const origin = exactOrigin(cors);
      expectGranted(await preflight(client, target.routes.open, nonce, origin, askedMethod(cors)), origin);
    },
  );

  corsCase(
    {
      id: 'cors.preflight.allow-methods',
      title: 'a preflight for a configured method gets it in Access-Control-Allow-Methods',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const method = askedMethod(cors);
      const res = await preflight(client, target.routes.open, nonce, exactOrigin(cors), method);
      expectListed(res, 'access-control-allow-methods', method);
    },
  );

  corsCase(
    {
      id: 'cors.preflight.allow-headers',
      title: 'a preflight for a configured header gets it in Access-Control-Allow-Headers',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const header = askedHeader(cors);
      const res = await openPreflight(client, target, nonce, header);
      expectListed(res, 'access-control-allow-headers', header);
    },
  );

  corsCase(
    {
      id: 'cors.preflight.max-age',
      title: 'a preflight answer carries Access-Control-Max-Age as configured',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      if (cors.maxAge === undefined) throw new SetupFailure('the profile declares no cors.maxAge');
      const res = await openPreflight(client, target, nonce);
      expect(res.headers['access-control-max-age'], 'Access-Control-Max-Age').toBe(String(cors.maxAge));
    },
  );

  corsCase(
    {
      id: 'cors.preflight.disallowed-origin',
      title: 'a preflight from a disallowed origin gets no Access-Control-Allow-Origin for it',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const res = await preflight(
        client,
        target.routes.open,
        nonce,
        cors.disallowedOrigin,
        askedMethod(cors),
      );
      expectNotGranted(res, cors.disallowedOrigin);
    },
  );

  corsCase(
    {
      id: 'cors.preflight.disallowed-method',
      title: 'a preflight for a method not in allowMethods is not allowed that method',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const method = refusedMethod(cors);
      const res = await preflight(client, target.routes.open, nonce, exactOrigin(cors), method);
      expectNotListed(res, 'access-control-allow-methods', method);
    },
  );

  corsCase(
    {
      id: 'cors.preflight.disallowed-header',
      title: 'a preflight for a header not in allowHeaders is not allowed that header',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const header = refusedHeader(cors);
      const res = await openPreflight(client, target, nonce, header);
      expectNotListed(res, 'access-control-allow-headers', header);
    },
  );

  // A preflight never carries credentials: a gateway that authorizes it breaks every browser client.
  const protectedRoutes = [
    { name: 'keyed-route', role: 'keyed', what: 'an API key', features: ['apikey'] },
    { name: 'iam-route', role: 'iam', what: 'a SigV4 signature', features: ['sigv4'] },
    { name: 'jwt-route', role: 'jwt', what: 'a JWT', features: ['jwt'] },
  ] as const;
  for (const route of protectedRoutes) {
    corsCase(
      {
        id: `cors.preflight.${route.name}`,
        title: `a preflight to a method that needs ${route.what} is answered without one`,
        features: [...route.features],
      },
      async ({ client, target, probe, nonce }) => {
        const cors = corsOf(target);
        const origin = exactOrigin(cors);
        const res = await preflight(
          client,
          target.routes[route.role],
          nonce,
          origin,
          'GET',
          askedHeader(cors),
        );
        expect([200, 204], `status ${res.status}`).toContain(res.status);
        expectGranted(res, origin);
        await expectNotReached(probe, nonce);
      },
    );
  }

  corsCase(
    {
      id: 'cors.credentials.no-wildcard',
      title: 'Access-Control-Allow-Origin: * never comes with Access-Control-Allow-Credentials: true',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const origin = exactOrigin(cors);
      const answers = [
        await preflight(client, target.routes.open, nonce, origin, askedMethod(cors)),
        await client.get('/open', { query: { gpn: nonce }, headers: { origin } }),
      ];
      for (const [i, res] of answers.entries()) {
        if (res.headers['access-control-allow-credentials'] === 'true') {
          expect(res.headers['access-control-allow-origin'], ['preflight', 'actual'][i]).not.toBe('*');
        }
      }
    },
  );

  corsCase(
    {
      id: 'cors.credentials.allowed',
      title:
        'with allowCredentials, the actual response echoes the origin with Access-Control-Allow-Credentials: true',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      test.skip(!cors.allowCredentials, 'the profile does not allow credentials');
      const origin = exactOrigin(cors);
      const res = await client.get('/open', { query: { gpn: nonce }, headers: { origin } });
      expect(res.headers['access-control-allow-origin'], 'Access-Control-Allow-Origin').toBe(origin);
      expect(res.headers['access-control-allow-credentials'], 'Access-Control-Allow-Credentials').toBe(
        'true',
      );
    },
  );

  corsCase(
    {
      id: 'cors.vary.preflight',
      title: 'a preflight answer that echoes the origin carries Vary: Origin',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const origin = exactOrigin(cors);
      expectVaryWhenEchoed(
        await preflight(client, target.routes.open, nonce, origin, askedMethod(cors)),
        origin,
      );
    },
  );

  corsCase(
    {
      id: 'cors.vary.actual',
      title: 'an actual response that echoes the origin carries Vary: Origin',
    },
    async ({ client, target, nonce }) => {
      const origin = exactOrigin(corsOf(target));
      expectVaryWhenEchoed(await client.get('/open', { query: { gpn: nonce }, headers: { origin } }), origin);
    },
  );

  corsCase(
    {
      id: 'cors.vary.extended',
      title: "the backend's own Vary is extended with Origin, not replaced",
    },
    async ({ client, target, nonce }) => {
      const origin = exactOrigin(corsOf(target));
      const res = await client.get('/open', {
        query: { gpn: nonce },
        headers: { origin, 'x-gp-set-header': 'Vary: Accept-Encoding' },
      });
      expect(list(res.headers.vary), 'Vary').toContain('accept-encoding');
      expectVaryWhenEchoed(res, origin);
    },
  );

  corsCase(
    {
      id: 'cors.actual.allow-origin',
      title: 'an actual request from an allowed origin is answered with Access-Control-Allow-Origin for it',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const origin = exactOrigin(cors);
      const res = await client.get('/open', { query: { gpn: nonce }, headers: { origin } });
      expect(res.status).toBe(200);
      expectGranted(res, origin);
    },
  );

  corsCase(
    {
      id: 'cors.actual.expose-headers',
      title: 'an actual response exposes the configured headers in Access-Control-Expose-Headers',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      if (!cors.exposeHeaders.length) throw new SetupFailure('the profile declares no cors.exposeHeaders');
      const res = await client.get('/open', {
        query: { gpn: nonce },
        headers: { origin: exactOrigin(cors) },
      });
      for (const header of cors.exposeHeaders) expectListed(res, 'access-control-expose-headers', header);
    },
  );

  corsCase(
    {
      id: 'cors.actual.disallowed-origin',
      title: 'an actual request from a disallowed origin is served without a grant for that origin',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const res = await client.get('/open', {
        query: { gpn: nonce },
        headers: { origin: cors.disallowedOrigin },
      });
      expectNotGranted(res, cors.disallowedOrigin);
    },
  );

  corsCase(
    {
      id: 'cors.actual.no-origin',
      title: 'a request without Origin gets no CORS headers',
    },
    async ({ client, nonce }) => {
      const res = await client.get('/open', { query: { gpn: nonce } });
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    },
  );

  corsCase(
    {
      id: 'cors.origin.null',
      title: 'the null origin (sandboxed frames, file: pages) is not granted access',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      test.skip(
        cors.allowOrigins.includes('*'),
        'allowOrigins is "*": every origin, null included, may read',
      );
      expectNotGranted(
        await client.get('/open', { query: { gpn: nonce }, headers: { origin: 'null' } }),
        'null',
      );
    },
  );

  corsCase(
    {
      id: 'cors.origin.wildcard-subdomain',
      title: 'a subdomain matched by a wildcard origin (https://*.example.com) is granted its own origin',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const origin = wildcardPattern(cors).replace('*', `gp${randomBytes(3).toString('hex')}`);
      expectGranted(await client.get('/open', { query: { gpn: nonce }, headers: { origin } }), origin);
    },
  );

  corsCase(
    {
      id: 'cors.origin.wildcard-lookalike',
      title:
        'a look-alike of a wildcard origin (https://evil-example.com for https://*.example.com) is refused',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const origin = wildcardPattern(cors).replace('*.', `gp${randomBytes(3).toString('hex')}-`);
      expectNotGranted(await client.get('/open', { query: { gpn: nonce }, headers: { origin } }), origin);
    },
  );

  for (const near of nearOrigins) {
    corsCase({ id: `cors.origin.${near.name}`, title: near.title }, async ({ client, target, nonce }) => {
      const origin = near.origin(corsOf(target));
      expectNotGranted(await client.get('/open', { query: { gpn: nonce }, headers: { origin } }), origin);
    });
  }

  corsCase(
    {
      id: 'cors.preflight.header-prefix',
      title:
        'a preflight for a header that only starts with an allowed one (x-api-key-extra) is not allowed it',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const header = `${askedHeader(cors)}-extra`;
      refusedHeader(cors);
      const res = await openPreflight(client, target, nonce, header);
      expectNotListed(res, 'access-control-allow-headers', header);
    },
  );

  corsCase(
    {
      id: 'cors.preflight.disallowed-header-in-list',
      title: 'a preflight for an allowed header and then an unlisted one is not allowed the unlisted one',
    },
    async ({ client, target, nonce }) => {
      const cors = corsOf(target);
      const header = refusedHeader(cors);
      const res = await openPreflight(client, target, nonce, `${askedHeader(cors)}, ${header}`);
      expectNotListed(res, 'access-control-allow-headers', header);
    },
  );

  corsCase(
    {
      id: 'cors.errors.gateway-403-disallowed-origin',
      title:
        "the gateway's own 403 grants no disallowed origin (never a static Access-Control-Allow-Origin: *)",
      features: ['apikey'],
      refs: ['aws-semantics.md#gateway-responses-customization'],
    },
    async ({ client, target, nonce, strict }) => {
      const origin = corsOf(target).disallowedOrigin;
      const res = await client.get('/keyed', { query: { gpn: nonce }, headers: { origin } });
      expectRefused(res, REJECT.forbidden, strict);
      expectNotGranted(res, origin);
    },
  );

  const gatewayErrors: {
    name: string;
    what: string;
    features: Feature[];
    send: (f: Parameters<CaseBody>[0], origin: string) => Promise<Exchange>;
    rejection: Rejection;
  }[] = [
    {
      name: 'gateway-401',
      what: '401 (a JWT method without a token)',
      features: ['jwt'],
      send: ({ client, nonce }, origin) => client.get('/jwt', { query: { gpn: nonce }, headers: { origin } }),
      rejection: { statuses: [401, 403], aws: { status: 401, message: 'Unauthorized' } },
    },
    {
      name: 'gateway-500',
      what: '500 (a Lambda authorizer that crashed)',
      features: ['authorizer'],
      send: ({ client, target, nonce }, origin) => {
        const crash = target.authorizer?.tokens.crash;
        if (!crash) throw new SetupFailure('the profile has no authorizer.tokens.crash');
        return client.get('/authorizer', {
          query: { gpn: nonce },
          headers: { origin, authorization: crash },
        });
      },
      rejection: { statuses: [500, 502, 503], aws: { status: 500, message: null } },
    },
  ];
  for (const error of gatewayErrors) {
    corsCase(
      {
        id: `cors.errors.${error.name}`,
        title: `the gateway's own ${error.what} carries CORS headers, so a browser can read it`,
        level: 'check',
        features: error.features,
        refs: ['aws-semantics.md#gateway-responses-customization'],
      },
      async (f) => {
        const origin = exactOrigin(corsOf(f.target));
        const res = await error.send(f, origin);
        expectRefused(res, error.rejection, f.strict);
        expectGranted(res, origin);
      },
    );
  }

  corsCase(
    {
      id: 'cors.errors.gateway-403',
      title: "the gateway's own 403 carries CORS headers, so a browser can read why it was refused",
      level: 'check',
      features: ['apikey'],
      refs: ['aws-semantics.md#errors-gateway-response-types-rest'],
    },
    async ({ client, target, nonce, strict }) => {
      const cors = corsOf(target);
      const origin = exactOrigin(cors);
      const res = await client.get('/keyed', { query: { gpn: nonce }, headers: { origin } });
      expectRefused(res, REJECT.forbidden, strict);
      expectGranted(res, origin);
    },
  );

  corsCase(
    {
      id: 'cors.errors.gateway-429',
      title: "the gateway's own 429 carries CORS headers, so a browser can read that it must slow down",
      level: 'check',
      features: ['apikey', 'quota'],
      refs: ['aws-semantics.md#errors-gateway-response-types-rest'],
    },
    async ({ client, target, freshKeys, nonce }) => {
      const cors = corsOf(target);
      const origin = exactOrigin(cors);
      const quota = target.plans.tinyQuota?.quota;
      if (!quota) throw new SetupFailure('the profile declares no plans.tinyQuota.quota');
      const key = freshKeys.take('quota');
      for (let i = 0; i < quota.limit - quota.offset; i++) {
        await client.get('/quota', { query: { gpn: nonce }, headers: { 'x-api-key': key } });
      }
      const res = await client.get('/quota', {
        query: { gpn: nonce },
        headers: { 'x-api-key': key, origin },
      });
      expect(res.status, 'the quota is used up').toBe(429);
      expectGranted(res, origin);
    },
  );
});

/** Browser cases: the page's origins come from the profile; a browser that is not found is a setup failure. */
const browserCase = (meta: { id: string; title: string; features?: Feature[] }, body: CaseBody) =>
  corsCase({ ...meta, features: ['cors-browser', ...(meta.features ?? [])] }, body);

function pagesOf(cors: Cors): { allowed: string; disallowed: string } {
  if (!cors.pages)
    throw new SetupFailure('the profile declares no cors.pages: no origin to load the page from');
  return cors.pages;
}

test.describe('cors.browser', () => {
  browserCase(
    {
      id: 'cors.browser.simple-get',
      title: 'a page on an allowed origin reads the answer to a simple GET',
    },
    async ({ browserPage, client, target, probe, nonce }) => {
      const page = await browserPage.open(pagesOf(corsOf(target)).allowed);
      const result = await page.fetch(client.url(target.routes.open, { gpn: nonce }));
      expectAllowedByBrowser(result);
      expect(result.status).toBe(200);
      await expectReached(probe, nonce, 1);
    },
  );

  browserCase(
    {
      id: 'cors.browser.simple-get-disallowed-origin',
      title: 'a page on a disallowed origin cannot read the answer to a simple GET',
    },
    async ({ browserPage, client, target, nonce }) => {
      const page = await browserPage.open(pagesOf(corsOf(target)).disallowed);
      expectBlockedByBrowser(await page.fetch(client.url(target.routes.open, { gpn: nonce })));
    },
  );

  browserCase(
    {
      id: 'cors.browser.preflight-custom-header',
      title:
        'a page on an allowed origin sends a configured custom header: the preflight passes and the request arrives once',
    },
    async ({ browserPage, client, target, probe, nonce }) => {
      const cors = corsOf(target);
      if (!list(cors.allowHeaders.join(',')).includes('x-gp-nonce')) {
        throw new SetupFailure('cors.allowHeaders must list x-gp-nonce for the browser cases');
      }
      const page = await browserPage.open(pagesOf(cors).allowed);
      const result = await page.fetch(client.url(target.routes.open, { gpn: nonce }), {
        headers: { 'x-gp-nonce': nonce },
      });
      expectAllowedByBrowser(result);
      await expectReached(probe, nonce, 1);
    },
  );

  browserCase(
    {
      id: 'cors.browser.preflight-disallowed-origin',
      title:
        'a page on a disallowed origin is stopped at the preflight: the request never reaches the integration',
    },
    async ({ browserPage, client, target, probe, nonce }) => {
      const page = await browserPage.open(pagesOf(corsOf(target)).disallowed);
      const result = await page.fetch(client.url(target.routes.open, { gpn: nonce }), {
        headers: { 'x-gp-nonce': nonce },
      });
      expectBlockedByBrowser(result);
      await expectNotReached(probe, nonce);
    },
  );

  browserCase(
    {
      id: 'cors.browser.preflight-unlisted-header',
      title: 'a page on an allowed origin cannot send a header that allowHeaders does not list',
    },
    async ({ browserPage, client, target, probe, nonce }) => {
      const cors = corsOf(target);
      const page = await browserPage.open(pagesOf(cors).allowed);
      const result = await page.fetch(client.url(target.routes.open, { gpn: nonce }), {
        headers: { [refusedHeader(cors)]: '1' },
      });
      expectBlockedByBrowser(result);
      await expectNotReached(probe, nonce);
    },
  );

  browserCase(
    {
      id: 'cors.browser.disallowed-method',
      title: 'a page on an allowed origin cannot use a method that allowMethods does not list',
    },
    async ({ browserPage, client, target, probe, nonce }) => {
      const cors = corsOf(target);
      const page = await browserPage.open(pagesOf(cors).allowed);
      const result = await page.fetch(client.url(target.routes.open, { gpn: nonce }), {
        method: refusedMethod(cors),
      });
      expectBlockedByBrowser(result);
      await expectNotReached(probe, nonce);
    },
  );

  browserCase(
    {
      id: 'cors.browser.credentials',
      title: "a page on an allowed origin reads the answer to a fetch with credentials: 'include'",
    },
    async ({ browserPage, client, target, nonce }) => {
      const cors = corsOf(target);
      test.skip(!cors.allowCredentials, 'the profile does not allow credentials');
      const page = await browserPage.open(pagesOf(cors).allowed);
      const result = await page.fetch(client.url(target.routes.open, { gpn: nonce }), {
        credentials: 'include',
      });
      expectAllowedByBrowser(result);
      expect(result.status).toBe(200);
    },
  );

  browserCase(
    {
      id: 'cors.browser.exposed-header',
      title: 'a page on an allowed origin can read a header the gateway exposes',
    },
    async ({ browserPage, client, target, nonce }) => {
      const cors = corsOf(target);
      if (!list(cors.exposeHeaders.join(',')).includes('x-gp-version')) {
        throw new SetupFailure(
          "cors.exposeHeaders must list x-gp-version (the probe's header) for this case",
        );
      }
      const page = await browserPage.open(pagesOf(cors).allowed);
      const result = await page.fetch(client.url(target.routes.open, { gpn: nonce }));
      expectAllowedByBrowser(result);
      expect(result.headers['x-gp-version'], 'x-gp-version as the page reads it').toMatch(/^\d+$/);
    },
  );

  browserCase(
    {
      id: 'cors.browser.keyed-preflight',
      title:
        'a page on an allowed origin calls a keyed method with x-api-key: the preflight passes without the key',
      features: ['apikey'],
    },
    async ({ browserPage, client, target, keys, nonce }) => {
      const cors = corsOf(target);
      if (!list(cors.allowHeaders.join(',')).includes('x-api-key')) {
        throw new SetupFailure('cors.allowHeaders must list x-api-key for this case');
      }
      const page = await browserPage.open(pagesOf(cors).allowed);
      const result = await page.fetch(client.url(target.routes.keyed, { gpn: nonce }), {
        headers: { 'x-api-key': keys.valid },
      });
      expectAllowedByBrowser(result);
      expect(result.status).toBe(200);
    },
  );
});
