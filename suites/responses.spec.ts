import { randomBytes } from 'node:crypto';
import { errorMessage, expectGatewayResponse, expectNotReached, REJECT } from './expectations.js';
import { expect, gateCase, test } from './fixtures.js';

/**
 * What the gateway answers by itself (REST): customized gateway responses and their inheritance
 * from DEFAULT_4XX/DEFAULT_5XX, unknown routes, the integration timeout, the payload limit, the
 * integration headers it remaps, and X-Ray trace ids.
 */

const REF_RESPONSES =
  'https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html';
const REF_CUSTOMIZE =
  'https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gateway-response-using-the-console.html';
const REF_LIMITS = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html';
const REF_KNOWN_ISSUES =
  'https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html';
const REF_TRACING = 'https://docs.aws.amazon.com/xray/latest/devguide/xray-services-apigateway.html';

const SETTING = 'x-gp-gateway-response';
const ORDER = { name: 'widget', quantity: 3, owner: { id: 'o-1' } };
const TRACE_ROOT = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;|$)/;

test.describe('responses', () => {
  gateCase(
    {
      id: 'responses.default.inherited-unknown-route',
      title: "a gateway response without a setting of its own takes DEFAULT_4XX's (an unknown route)",
      level: 'core',
      features: ['responses'],
      refs: [REF_CUSTOMIZE],
    },
    async ({ client, nonce }) => {
      const res = await client.raw('GET', `/no-such-resource-${nonce}`);
      expect(res.status, 'status').toBeGreaterThanOrEqual(400);
      expect(res.headers[SETTING], 'the DEFAULT_4XX header').toBe('DEFAULT_4XX');
    },
  );

  gateCase(
    {
      id: 'responses.default.inherited-key-refusal',
      title: "an API-key refusal carries DEFAULT_4XX's headers too",
      level: 'core',
      features: ['responses', 'apikey'],
      refs: [REF_CUSTOMIZE],
    },
    async ({ client, nonce }) => {
      const res = await client.get('/keyed', { query: { gpn: nonce } });
      expect(res.status, 'status').toBe(403);
      expect(res.headers[SETTING], 'the DEFAULT_4XX header').toBe('DEFAULT_4XX');
    },
  );

  gateCase(
    {
      id: 'responses.default.request-header-mapped',
      title: "a gateway response header mapped from a request header carries the caller's value",
      level: 'core',
      features: ['responses'],
      refs: [REF_CUSTOMIZE],
    },
    async ({ client, nonce }) => {
      const value = `echo-${nonce}`;
      const res = await client.raw('GET', `/no-such-resource-${nonce}`, { headers: { 'x-gp-echo': value } });
      expect(res.headers['x-gp-caller-echo'], 'method.request.header.x-gp-echo').toBe(value);
    },
  );

  gateCase(
    {
      id: 'responses.default.inherited-5xx',
      title:
        "a 5XX gateway response without a setting of its own takes DEFAULT_5XX's (an integration timeout)",
      level: 'core',
      features: ['responses'],
      refs: [REF_CUSTOMIZE],
    },
    async ({ client, nonce }) => {
      const res = await client.get('/slow', { query: { gpn: nonce }, headers: { 'x-gp-delay-ms': '1500' } });
      expect(res.status, 'status').toBe(504);
      expect(res.headers[SETTING], 'the DEFAULT_5XX header').toBe('DEFAULT_5XX');
    },
  );

  gateCase(
    {
      id: 'responses.own.overrides-default',
      title: "a response type with its own setting uses it, not DEFAULT_4XX's (an invalid body)",
      level: 'core',
      features: ['responses', 'validation'],
      refs: [REF_CUSTOMIZE],
    },
    async ({ client, nonce }) => {
      const res = await client.post('/validated', {
        query: { gpn: nonce, q1: 'v' },
        headers: { h1: 'v', 'content-type': 'application/json' },
        body: JSON.stringify({ ...ORDER, quantity: 0 }),
      });
      expect(res.status, 'status').toBe(400);
      expect(res.headers[SETTING], "BAD_REQUEST_BODY's own header").toBe('BAD_REQUEST_BODY');
    },
  );

  gateCase(
    {
      id: 'responses.own.template-context',
      title:
        'a gateway response template fills in $context.error: the message, the response type and the validation error',
      level: 'core',
      features: ['responses', 'validation'],
      refs: [REF_CUSTOMIZE],
    },
    async ({ client, nonce }) => {
      const res = await client.post('/validated', {
        query: { gpn: nonce, q1: 'v' },
        headers: { h1: 'v', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'widget', quantity: 2 }),
      });
      expect(res.status, 'status').toBe(400);
      const body = res.json as { message?: string; type?: string; validation?: string } | undefined;
      expect(body?.message, '$context.error.messageString').toBe('Invalid request body');
      expect(body?.type, '$context.error.responseType').toBe('BAD_REQUEST_BODY');
      expect(body?.validation, '$context.error.validationErrorString names the field').toContain('owner');
    },
  );

  gateCase(
    {
      id: 'responses.own.unsupported-media-template',
      title: 'a customized 415 answers with its template, the resource path filled in',
      level: 'core',
      features: ['responses', 'transform'],
      refs: [REF_CUSTOMIZE],
    },
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a' },
        headers: { 'content-type': 'text/csv' },
        body: 'a,b',
      });
      expect(res.status, 'status').toBe(415);
      expect(res.json, 'the template').toEqual({
        message: 'Unsupported Media Type',
        type: 'UNSUPPORTED_MEDIA_TYPE',
        resource: '/transformed',
      });
    },
  );

  const unknown: { name: string; title: string; method: string; path: (nonce: string) => string }[] = [
    { name: 'unknown-resource', title: 'an unknown resource', method: 'GET', path: (n) => `/unknown-${n}` },
    {
      name: 'unknown-method',
      title: 'a method the resource does not have',
      method: 'DELETE',
      path: () => '/open',
    },
    {
      name: 'path-case',
      title: 'a path that differs from a resource only in case',
      method: 'GET',
      path: () => '/OPEN',
    },
  ];
  for (const route of unknown) {
    gateCase(
      {
        id: `responses.route.${route.name}`,
        title: `${route.title} is refused (REST: 403 Missing Authentication Token; HTTP API: 404 Not Found) and never reaches an integration`,
        level: 'core',
        features: ['routes'],
        refs: [REF_RESPONSES, 'aws-semantics.md#errors-gateway-response-types-rest'],
      },
      async ({ client, probe, nonce, strict, target }) => {
        const res = await client.raw(route.method, route.path(nonce), { query: { gpn: nonce } });
        if (!strict) expect(REJECT.missingToken.statuses).toContain(res.status);
        else if (target.mode === 'http') {
          expect(res.status, 'status').toBe(404);
          expect(errorMessage(res), 'body message').toBe('Not Found');
          expect(res.headers, 'HTTP APIs send no x-amzn-ErrorType').not.toHaveProperty('x-amzn-errortype');
        } else expectGatewayResponse(res, REJECT.missingToken);
        await expectNotReached(probe, nonce);
      },
    );
  }

  gateCase(
    {
      id: 'responses.timeout.enforced',
      title:
        'an integration slower than its timeoutInMillis is answered 504 "Endpoint request timed out", and the caller is not held',
      level: 'core',
      features: ['responses'],
      refs: [REF_LIMITS, 'aws-semantics.md#errors-gateway-response-types-rest'],
    },
    async ({ client, nonce, strict }) => {
      const res = await client.get('/slow', { query: { gpn: nonce }, headers: { 'x-gp-delay-ms': '3000' } });
      expect(res.status, 'status').toBe(504);
      if (strict) expect(errorMessage(res), 'body message').toBe('Endpoint request timed out');
      expect(res.durationMs, 'the caller waited past the 500 ms timeout by far').toBeLessThan(2000);
    },
  );

  gateCase(
    {
      id: 'responses.timeout.just-past',
      title: 'an integration just past its timeout (700 ms against 500 ms) is cut off too',
      level: 'core',
      features: ['responses'],
      refs: [REF_LIMITS],
    },
    async ({ client, nonce }) => {
      const res = await client.get('/slow', { query: { gpn: nonce }, headers: { 'x-gp-delay-ms': '700' } });
      expect(res.status, 'status').toBe(504);
    },
  );

  gateCase(
    {
      id: 'responses.timeout.within',
      title: 'an integration that answers within its timeout is relayed',
      level: 'core',
      features: ['responses'],
      refs: [REF_LIMITS],
    },
    async ({ client, nonce }) => {
      const res = await client.get('/slow', { query: { gpn: nonce }, headers: { 'x-gp-delay-ms': '50' } });
      expect(res.status, 'status').toBe(200);
      expect(res.json?.nonce).toBe(nonce);
    },
  );

  gateCase(
    {
      id: 'responses.limits.payload',
      title: 'a payload over 10 MB is refused with 413 and never reaches the integration',
      level: 'core',
      features: ['responses'],
      refs: [REF_LIMITS],
    },
    async ({ client, probe, nonce }) => {
      const res = await client.post('/open', {
        query: { gpn: nonce },
        headers: { 'content-type': 'application/octet-stream' },
        body: randomBytes(10 * 1024 * 1024 + 1024),
      });
      expect(res.status, 'status').toBe(413);
      await expectNotReached(probe, nonce);
    },
  );

  const remapped: { name: string; header: string; value: string }[] = [
    { name: 'www-authenticate', header: 'WWW-Authenticate', value: 'Basic realm="origin"' },
    { name: 'server', header: 'Server', value: 'origin-server/1.0' },
  ];
  for (const { name, header, value } of remapped) {
    gateCase(
      {
        id: `responses.remap.${name}`,
        title: `the integration's ${header} reaches the caller as x-amzn-Remapped-${header}, never as its own`,
        level: 'core',
        features: ['responses'],
        refs: [REF_KNOWN_ISSUES],
      },
      async ({ client, nonce, strict }) => {
        test.skip(!strict, 'an API Gateway header rule: asserted at --profile aws only');
        const res = await client.get('/open', {
          query: { gpn: nonce },
          headers: { 'x-gp-set-header': `${header}: ${value}` },
        });
        expect(res.status).toBe(200);
        expect(res.headers[`x-amzn-remapped-${name}`], 'the remapped header').toBe(value);
        expect(res.headers[name] ?? '', `the integration's ${header} as its own`).not.toBe(value);
      },
    );
  }

  gateCase(
    {
      id: 'responses.tracing.added',
      title:
        'with tracing on, a request without X-Amzn-Trace-Id reaches the integration with a new trace root',
      level: 'core',
      features: ['tracing'],
      refs: [REF_TRACING],
    },
    async ({ client, nonce }) => {
      const res = await client.get('/open', { query: { gpn: nonce } });
      expect(res.status).toBe(200);
      expect(res.json?.headers['x-amzn-trace-id'] ?? '', 'the trace header the integration saw').toMatch(
        TRACE_ROOT,
      );
    },
  );

  gateCase(
    {
      id: 'responses.tracing.passed-on',
      title: "the caller's X-Amzn-Trace-Id root reaches the integration unchanged",
      level: 'core',
      features: ['tracing'],
      refs: [REF_TRACING],
    },
    async ({ client, nonce }) => {
      const root = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
      const res = await client.get('/open', { query: { gpn: nonce }, headers: { 'x-amzn-trace-id': root } });
      expect(res.status).toBe(200);
      expect(res.json?.headers['x-amzn-trace-id'] ?? '', 'the trace header the integration saw').toContain(
        root,
      );
    },
  );

  gateCase(
    {
      id: 'responses.tracing.unique',
      title: 'two requests without a trace header get two different trace roots',
      level: 'core',
      features: ['tracing'],
      refs: [REF_TRACING],
    },
    async ({ client, nonce }) => {
      const first = await client.get('/open', { query: { gpn: nonce } });
      const second = await client.get('/open', { query: { gpn: nonce } });
      const a = first.json?.headers['x-amzn-trace-id'];
      const b = second.json?.headers['x-amzn-trace-id'];
      expect(a ?? '', 'first').toMatch(TRACE_ROOT);
      expect(b ?? '', 'second').toMatch(TRACE_ROOT);
      expect(a, 'the same root twice').not.toBe(b);
    },
  );

  gateCase(
    {
      id: 'responses.tracing.non-proxy',
      title: 'a non-proxy integration receives the trace header too, though it maps no caller header',
      level: 'core',
      features: ['tracing', 'transform'],
      refs: [REF_TRACING],
    },
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a' },
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      expect(res.json?.echo.headers['x-amzn-trace-id'] ?? '', 'the trace header the integration saw').toMatch(
        TRACE_ROOT,
      );
    },
  );
});
