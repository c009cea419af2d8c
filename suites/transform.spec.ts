import type { Echo } from '../src/probe/protocol.js';
import { errorMessage, expectNotReached, expectReached } from './expectations.js';
import { expect, gateCase, test } from './fixtures.js';

/**
 * Non-proxy integrations (REST): only what the method maps reaches the integration (parameters by
 * `requestParameters`, the body through the template of its media type, or unchanged as
 * `passthroughBehavior` allows), and the answer comes back through the integration response's
 * header mappings and template. Proven at the probe: `/transformed` maps the probe's whole echo
 * back under `echo`, so each case sees exactly what the integration received.
 */

const REF_TEMPLATES = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings.html';
const REF_PARAMS =
  'https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html';
const REF_PASSTHROUGH =
  'https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html';

const ORDER = { name: 'widget', quantity: 3, owner: { id: 'o-1' }, tags: ['red', 'blue'] };
const JSON_HEADERS = { 'content-type': 'application/json' };
/** Statuses a gateway may use to refuse a media type it may not pass; API Gateway's is 415. */
const UNSUPPORTED = [415];

/** A core case of non-proxy integrations, citing the page of AWS's guide it holds the gateway to. */
function transformCase(id: string, title: string, ref: string, body: Parameters<typeof gateCase>[1]): void {
  gateCase({ id, title, level: 'core', features: ['transform'], refs: [ref] }, body);
}

/** The integration's received body, parsed: a template that made invalid JSON fails here. */
function receivedJson(echo: { body?: string } | undefined): Record<string, unknown> {
  const body = echo?.body;
  expect(body, 'the integration received a body').toBeTruthy();
  try {
    return JSON.parse(body!) as Record<string, unknown>;
  } catch {
    throw new Error(`the integration received a body that is not JSON: ${body!.slice(0, 200)}`);
  }
}

test.describe('transform', () => {
  transformCase(
    'transform.request.template-reshapes',
    'the request template reshapes the body: fields renamed, nested values read, context filled in',
    REF_TEMPLATES,
    async ({ client, probe, nonce, target }) => {
      const body = JSON.stringify(ORDER);
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'abc' },
        headers: { ...JSON_HEADERS, 'x-gp-client': 'c-1' },
        body,
      });
      expect(res.status).toBe(200);
      const seen = receivedJson(res.json?.echo);
      expect(seen.order, 'the mapped order').toEqual({
        label: 'widget',
        count: 3,
        firstTag: 'red',
        ownerId: 'o-1',
      });
      expect(seen.stage, '$context.stage').toBe(target.stage);
      expect(seen.resource, '$context.resourcePath').toBe('/transformed');
      expect(seen.caller, "$input.params('x-gp-client')").toBe('c-1');
      expect(seen.query, "$input.params('from')").toBe('abc');
      expect(seen.raw, '$util.base64Encode($input.body)').toBe(Buffer.from(body).toString('base64'));
      await expectReached(probe, nonce, 1);
    },
  );

  transformCase(
    'transform.request.escape',
    'a value with quotes, backslashes and markup is escaped by $util.escapeJavaScript, so the mapped body stays valid JSON',
    REF_TEMPLATES,
    async ({ client, nonce }) => {
      const tricky = 'a"b\\c</x>{}';
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'q' },
        headers: { ...JSON_HEADERS, 'x-gp-client': tricky },
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      expect(receivedJson(res.json?.echo).caller, 'the value survived the template').toBe(tricky);
    },
  );

  transformCase(
    'transform.request.query-renamed',
    'a query parameter mapped under another name reaches the integration only under the new name',
    REF_PARAMS,
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'abc' },
        headers: JSON_HEADERS,
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      const query = res.json?.echo.query ?? {};
      expect(query.renamed, 'the mapped name').toBe('abc');
      expect(query, 'the original name').not.toHaveProperty('from');
    },
  );

  transformCase(
    'transform.request.headers-mapped',
    'mapped headers reach the integration: from a request header, a literal and $context.requestId',
    REF_PARAMS,
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a' },
        headers: { ...JSON_HEADERS, 'x-gp-client': 'c-2' },
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      const headers = res.json?.echo.headers ?? {};
      expect(headers['x-gp-mapped-client'], 'from method.request.header.x-gp-client').toBe('c-2');
      expect(headers['x-gp-static'], "from the literal 'fixed-value'").toBe('fixed-value');
      expect(headers['x-gp-request-id'], 'from context.requestId').toBeTruthy();
      if (res.headers['x-amzn-requestid']) {
        expect(headers['x-gp-request-id'], 'the same request id the caller got').toBe(
          res.headers['x-amzn-requestid'],
        );
      }
    },
  );

  transformCase(
    'transform.request.unmapped-headers-dropped',
    "the caller's headers that the method does not map never reach a non-proxy integration (credentials, cookies, its own names)",
    REF_PARAMS,
    async ({ client, nonce }) => {
      const secrets = {
        authorization: 'Bearer not-for-the-backend',
        cookie: 'session=not-for-the-backend',
        'x-api-key': 'not-for-the-backend-0000000',
        'x-gp-client-secret': 'not-for-the-backend',
      };
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a' },
        headers: { ...JSON_HEADERS, ...secrets, 'x-gp-client': 'c-3' },
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      const headers = res.json?.echo.headers ?? {};
      for (const name of [...Object.keys(secrets), 'x-gp-client']) {
        expect(headers, `${name} reached the integration`).not.toHaveProperty(name);
      }
    },
  );

  transformCase(
    'transform.request.unmapped-query-dropped',
    'a query parameter the method does not map never reaches a non-proxy integration',
    REF_PARAMS,
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a', debug: 'true', other: '1' } as { from: string },
        headers: JSON_HEADERS,
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      const query = res.json?.echo.query ?? {};
      expect(query, 'debug').not.toHaveProperty('debug');
      expect(query, 'other').not.toHaveProperty('other');
    },
  );

  transformCase(
    'transform.request.json-to-xml',
    'a template turns a JSON body into XML, with a list rendered by #foreach and the mapped Content-Type',
    REF_TEMPLATES,
    async ({ client, nonce }) => {
      const res = await client.post('/transformed-xml', {
        query: { gpn: nonce },
        headers: JSON_HEADERS,
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      const echo = res.json as Echo | undefined;
      expect(echo?.body?.replace(/\s+/g, ''), 'the XML the integration received').toBe(
        '<?xmlversion="1.0"encoding="UTF-8"?><order><name>widget</name><tag>red</tag><tag>blue</tag></order>',
      );
      expect(echo?.headers['content-type'], 'the mapped Content-Type').toBe('application/xml');
    },
  );

  /** A body of a media type without a template, on each passthrough behaviour: passed unchanged, or 415. */
  const passthroughs: {
    name: string;
    title: string;
    path: '/transformed' | '/passthrough-match' | '/passthrough-templates' | '/passthrough-none';
    passes: boolean;
  }[] = [
    {
      name: 'never-refuses',
      title: 'with passthroughBehavior NEVER, a body of a media type without a template is refused with 415',
      path: '/transformed',
      passes: false,
    },
    {
      name: 'no-match-passes',
      title:
        'with WHEN_NO_MATCH, a body of a media type without a template reaches the integration unchanged',
      path: '/passthrough-match',
      passes: true,
    },
    {
      name: 'no-templates-refuses',
      title: 'with WHEN_NO_TEMPLATES, a method that has templates refuses a media type without one',
      path: '/passthrough-templates',
      passes: false,
    },
    {
      name: 'no-templates-passes',
      title: 'with WHEN_NO_TEMPLATES, a method without any template passes every media type unchanged',
      path: '/passthrough-none',
      passes: true,
    },
  ];
  for (const variant of passthroughs) {
    transformCase(
      `transform.passthrough.${variant.name}`,
      variant.title,
      REF_PASSTHROUGH,
      async ({ client, probe, nonce, strict }) => {
        const res = await client.post(variant.path, {
          query: { gpn: nonce, from: 'a' },
          headers: { 'content-type': 'text/plain' },
          body: 'plain words',
        });
        if (!variant.passes) {
          expect(UNSUPPORTED, `status ${res.status}`).toContain(res.status);
          if (strict) expect(errorMessage(res), 'body message').toBe('Unsupported Media Type');
          await expectNotReached(probe, nonce);
          return;
        }
        expect(res.status).toBe(200);
        expect((res.json as Echo | undefined)?.body, 'the body the integration received').toBe('plain words');
        await expectReached(probe, nonce, 1);
      },
    );
  }

  transformCase(
    'transform.passthrough.charset-matches-template',
    'a media type with parameters (application/json; charset=utf-8) uses the application/json template',
    REF_PASSTHROUGH,
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a' },
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      expect(receivedJson(res.json?.echo).order, 'the body went through the template').toBeTruthy();
    },
  );

  transformCase(
    'transform.passthrough.no-match-maps-json',
    'with WHEN_NO_MATCH, a body of a media type that has a template still goes through it',
    REF_PASSTHROUGH,
    async ({ client, nonce }) => {
      const res = await client.post('/passthrough-match', {
        query: { gpn: nonce },
        headers: JSON_HEADERS,
        body: JSON.stringify({ a: 1 }),
      });
      expect(res.status).toBe(200);
      expect(receivedJson(res.json), 'the mapped body').toEqual({ mapped: { a: 1 } });
    },
  );

  transformCase(
    'transform.response.template-applied',
    "the integration response's template shapes what the caller gets",
    REF_TEMPLATES,
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a' },
        headers: JSON_HEADERS,
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      expect(res.json?.mapped, 'the field only the template adds').toBe(true);
      expect(res.json?.echo.nonce, 'the echo of this request').toBe(nonce);
      expect(res.headers['content-type'], 'the template media type').toContain('application/json');
    },
  );

  transformCase(
    'transform.response.template-by-accept',
    "the caller's Accept chooses the response template: its first media type, parameters and all",
    REF_TEMPLATES,
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a' },
        headers: { ...JSON_HEADERS, accept: 'application/xml;q=0.9, application/json' },
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type'], 'the chosen media type').toContain('application/xml');
      expect(res.body, 'the XML template, filled from the echo').toBe(
        `<mapped><nonce>${nonce}</nonce></mapped>`,
      );
    },
  );

  transformCase(
    'transform.response.headers-mapped',
    'response headers are mapped from an integration header, a field of its body and a literal',
    REF_PARAMS,
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a' },
        headers: JSON_HEADERS,
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      expect(res.headers['x-gp-origin-version'], 'from integration.response.header.x-gp-version').toBe(
        String(res.json?.echo.version),
      );
      expect(res.headers['x-gp-origin-route'], 'from integration.response.body.route').toBe('/transformed');
      expect(res.headers['x-gp-static-out'], "from the literal 'mapped-out'").toBe('mapped-out');
    },
  );

  transformCase(
    'transform.response.unmapped-headers-dropped',
    "the integration's own response headers reach the caller of a non-proxy method only when mapped",
    REF_PARAMS,
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a' },
        headers: JSON_HEADERS,
        body: JSON.stringify(ORDER),
      });
      expect(res.status).toBe(200);
      expect(
        res.headers,
        'the probe answers x-gp-version; only x-gp-origin-version is mapped',
      ).not.toHaveProperty('x-gp-version');
    },
  );

  transformCase(
    'transform.response.error-selection',
    "an integration 5XX is matched by its selection pattern and answered with that response's status and template",
    REF_TEMPLATES,
    async ({ client, nonce }) => {
      const res = await client.post('/transformed', {
        query: { gpn: nonce, from: 'a' },
        headers: { ...JSON_HEADERS, 'x-gp-status': '503' },
        body: JSON.stringify(ORDER),
      });
      expect(res.status, 'the selected response status').toBe(502);
      expect(errorMessage(res), 'the selected template').toBe('the integration failed');
    },
  );
});
