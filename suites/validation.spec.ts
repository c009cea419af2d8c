import type { Exchange } from '../src/contract/typed-client.js';
import { errorMessage, expectNotReached, expectReached } from './expectations.js';
import { expect, gateCase, test } from './fixtures.js';

/**
 * Request validation (REST): a method's request validator refuses, before the integration is ever
 * called, a request whose required parameters are missing or blank, or whose body breaks the
 * model of its media type (JSON Schema draft 4). The near misses are where validators go wrong: a
 * value one past a bound, a nested field, a media type with parameters, a name in another case.
 */

const REF =
  'https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html';
const REF_PARAMS =
  'https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-validation-set-up.html';

/** An Order that matches its model; every refusal below differs from it in one place. */
const ORDER = { name: 'widget', quantity: 3, owner: { id: 'o-1' }, tags: ['red'] };
const PARAMS = { query: { q1: 'v1' }, headers: { h1: 'v1' } };

/** Statuses a gateway may use to refuse an invalid request; API Gateway's own is 400. */
const INVALID = [400, 422];

interface BodyVariant {
  name: string;
  title: string;
  body: string;
  contentType?: string;
}

const json = (value: unknown) => JSON.stringify(value);
/** A query the contract forbids (a required parameter left out), sent on purpose. */
const offContract = (query: Record<string, string>) => query as { q1: string };
const withOrder = (change: Record<string, unknown>) => json({ ...ORDER, ...change });
const without = (field: keyof typeof ORDER) => {
  const { [field]: _dropped, ...rest } = ORDER;
  return json(rest);
};

/** Bodies that are valid but for one thing. */
const invalidBodies: BodyVariant[] = [
  { name: 'missing-field', title: 'a body without a required field is refused', body: without('name') },
  {
    name: 'below-minimum',
    title: 'an integer one below its minimum is refused',
    body: withOrder({ quantity: 0 }),
  },
  {
    name: 'above-maximum',
    title: 'an integer one above its maximum is refused',
    body: withOrder({ quantity: 11 }),
  },
  {
    name: 'string-for-integer',
    title: 'a number sent as a string is refused where the model says integer',
    body: withOrder({ quantity: '3' }),
  },
  {
    name: 'fraction-for-integer',
    title: 'a fraction is refused where the model says integer',
    body: withOrder({ quantity: 3.5 }),
  },
  {
    name: 'nested-missing',
    title: 'a nested object without its required field is refused',
    body: withOrder({ owner: {} }),
  },
  {
    name: 'nested-empty',
    title: 'a nested string shorter than its minimum length is refused',
    body: withOrder({ owner: { id: '' } }),
  },
  {
    name: 'nested-wrong-type',
    title: 'a nested field of the wrong type is refused',
    body: withOrder({ owner: { id: 7 } }),
  },
  {
    name: 'too-many-items',
    title: 'an array one item over its maximum is refused',
    body: withOrder({ tags: ['red', 'green', 'blue', 'red'] }),
  },
  {
    name: 'enum-case',
    title: 'an enum value in another case is refused',
    body: withOrder({ tags: ['Red'] }),
  },
  {
    name: 'extra-property',
    title: 'a property the model forbids (additionalProperties: false) is refused',
    body: withOrder({ admin: true }),
  },
  {
    name: 'pattern',
    title: 'a string that breaks its pattern is refused',
    body: withOrder({ name: 'Widget' }),
  },
  {
    name: 'too-long',
    title: 'a string one character over its maximum length is refused',
    body: withOrder({ name: 'a'.repeat(21) }),
  },
  { name: 'not-json', title: 'a body that is not JSON is refused', body: '{"name": "widget",' },
  { name: 'empty', title: 'an empty body is refused where a model applies', body: '' },
  { name: 'null', title: 'a JSON null is refused where the model says object', body: 'null' },
  { name: 'array', title: 'a JSON array is refused where the model says object', body: '[]' },
  {
    name: 'charset',
    title:
      'a media type with parameters (application/json; charset=utf-8) is still validated against the JSON model',
    body: without('owner'),
    contentType: 'application/json; charset=utf-8',
  },
];

function expectInvalid(res: Exchange, strict: boolean, message: string | RegExp): void {
  if (!strict) {
    expect(INVALID, `status ${res.status} is not a refusal of an invalid request`).toContain(res.status);
    return;
  }
  expect(res.status, 'status').toBe(400);
  if (message instanceof RegExp) expect(errorMessage(res) ?? '', 'body message').toMatch(message);
  else expect(errorMessage(res), 'body message').toBe(message);
}

test.describe('validation', () => {
  for (const variant of invalidBodies) {
    gateCase(
      {
        id: `validation.body.${variant.name}`,
        title: `${variant.title}, and the integration is never called`,
        level: 'core',
        features: ['validation'],
        refs: [REF],
      },
      async ({ client, probe, nonce, strict }) => {
        const res = await client.post('/validated', {
          query: { gpn: nonce, ...PARAMS.query },
          headers: { ...PARAMS.headers, 'content-type': variant.contentType ?? 'application/json' },
          body: variant.body,
        });
        expectInvalid(res, strict, 'Invalid request body');
        await expectNotReached(probe, nonce);
      },
    );
  }

  const accepted: { name: string; title: string; order: Record<string, unknown> }[] = [
    { name: 'valid', title: 'a body that matches its model reaches the integration unchanged', order: ORDER },
    {
      name: 'at-minimum',
      title: 'an integer exactly at its minimum is accepted',
      order: { ...ORDER, quantity: 1 },
    },
    {
      name: 'at-maximum',
      title: 'an integer exactly at its maximum is accepted',
      order: { ...ORDER, quantity: 10 },
    },
    {
      name: 'optional-absent',
      title: 'a body without an optional field is accepted',
      order: { name: 'widget', quantity: 2, owner: { id: 'o-2' } },
    },
    {
      name: 'max-items',
      title: 'an array with exactly its maximum of items is accepted',
      order: { ...ORDER, tags: ['red', 'green', 'blue'] },
    },
  ];
  for (const ok of accepted) {
    gateCase(
      {
        id: `validation.accept.${ok.name}`,
        title: ok.title,
        level: 'core',
        features: ['validation'],
        refs: [REF],
      },
      async ({ client, probe, nonce }) => {
        const body = json(ok.order);
        const res = await client.post('/validated', {
          query: { gpn: nonce, ...PARAMS.query },
          headers: { ...PARAMS.headers, 'content-type': 'application/json' },
          body,
        });
        expect(res.status, 'status').toBe(200);
        expect(res.json?.body, 'the body the integration received').toBe(body);
        await expectReached(probe, nonce, 1);
      },
    );
  }

  const parameterRefusals: {
    name: string;
    title: string;
    query: Record<string, string>;
    headers: Record<string, string>;
    missing: string;
  }[] = [
    {
      name: 'missing-query',
      title: 'a request without a required query parameter is refused',
      query: {},
      headers: { h1: 'v1' },
      missing: 'q1',
    },
    {
      name: 'blank-query',
      title: 'a required query parameter that is present but empty is refused',
      query: { q1: '' },
      headers: { h1: 'v1' },
      missing: 'q1',
    },
    {
      name: 'query-name-case',
      title: 'a query parameter whose name differs only in case does not stand for a required one',
      query: { Q1: 'v1' },
      headers: { h1: 'v1' },
      missing: 'q1',
    },
    {
      name: 'missing-header',
      title: 'a request without a required header is refused',
      query: { q1: 'v1' },
      headers: {},
      missing: 'h1',
    },
    {
      name: 'blank-header',
      title: 'a required header that is present but empty is refused',
      query: { q1: 'v1' },
      headers: { h1: '' },
      missing: 'h1',
    },
    {
      name: 'both-missing',
      title: 'a request missing two required parameters is refused, naming both',
      query: {},
      headers: {},
      missing: 'q1, h1',
    },
  ];
  for (const refusal of parameterRefusals) {
    gateCase(
      {
        id: `validation.params.${refusal.name}`,
        title: `${refusal.title}, and the integration is never called`,
        level: 'core',
        features: ['validation'],
        refs: [REF_PARAMS],
      },
      async ({ client, probe, nonce, strict }) => {
        const res = await client.post('/validated', {
          query: offContract({ gpn: nonce, ...refusal.query }),
          headers: { ...refusal.headers, 'content-type': 'application/json' },
          body: json(ORDER),
        });
        expectInvalid(res, strict, `Missing required request parameters: [${refusal.missing}]`);
        await expectNotReached(probe, nonce);
      },
    );
  }

  gateCase(
    {
      id: 'validation.params.header-name-case',
      title: 'a required header is found whatever the case of its name, as HTTP requires',
      level: 'core',
      features: ['validation'],
      refs: [REF_PARAMS, 'https://www.rfc-editor.org/rfc/rfc9110#section-5.1'],
    },
    async ({ client, probe, nonce }) => {
      const res = await client.post('/validated', {
        query: { gpn: nonce, q1: 'v1' },
        headers: { H1: 'v1', 'content-type': 'application/json' },
        body: json(ORDER),
      });
      expect(res.status, 'status').toBe(200);
      await expectReached(probe, nonce, 1);
    },
  );

  gateCase(
    {
      id: 'validation.validator.params-only-skips-body',
      title: 'a method whose validator checks parameters only passes an invalid body to the integration',
      level: 'core',
      features: ['validation'],
      refs: [REF_PARAMS],
    },
    async ({ client, probe, nonce }) => {
      const res = await client.post('/validated-params', {
        query: { gpn: nonce, ...PARAMS.query },
        headers: { ...PARAMS.headers, 'content-type': 'application/json' },
        body: without('owner'),
      });
      expect(res.status, 'status').toBe(200);
      await expectReached(probe, nonce, 1);
    },
  );

  gateCase(
    {
      id: 'validation.validator.params-only-checks-params',
      title: 'a method whose validator checks parameters only still refuses a missing one',
      level: 'core',
      features: ['validation'],
      refs: [REF_PARAMS],
    },
    async ({ client, probe, nonce, strict }) => {
      const res = await client.post('/validated-params', {
        query: offContract({ gpn: nonce }),
        headers: { ...PARAMS.headers, 'content-type': 'application/json' },
        body: json(ORDER),
      });
      expectInvalid(res, strict, 'Missing required request parameters: [q1]');
      await expectNotReached(probe, nonce);
    },
  );

  gateCase(
    {
      id: 'validation.validator.body-only-skips-params',
      title: 'a method whose validator checks the body only passes a request without its required parameters',
      level: 'core',
      features: ['validation'],
      refs: [REF_PARAMS],
    },
    async ({ client, probe, nonce }) => {
      const res = await client.post('/validated-body', {
        query: offContract({ gpn: nonce }),
        headers: { 'content-type': 'application/json' },
        body: json(ORDER),
      });
      expect(res.status, 'status').toBe(200);
      await expectReached(probe, nonce, 1);
    },
  );

  gateCase(
    {
      id: 'validation.validator.body-only-checks-body',
      title: 'a method whose validator checks the body only still refuses an invalid one',
      level: 'core',
      features: ['validation'],
      refs: [REF],
    },
    async ({ client, probe, nonce, strict }) => {
      const res = await client.post('/validated-body', {
        query: offContract({ gpn: nonce }),
        headers: { 'content-type': 'application/json' },
        body: withOrder({ quantity: 0 }),
      });
      expectInvalid(res, strict, 'Invalid request body');
      await expectNotReached(probe, nonce);
    },
  );

  gateCase(
    {
      id: 'validation.validator.no-model-media-type',
      title: 'a body whose media type has no model is not validated, and reaches the integration unchanged',
      level: 'core',
      features: ['validation'],
      refs: [REF],
    },
    async ({ client, probe, nonce }) => {
      const res = await client.post('/validated-body', {
        query: offContract({ gpn: nonce }),
        headers: { 'content-type': 'text/plain' },
        body: 'not an order at all',
      });
      expect(res.status, 'status').toBe(200);
      expect(res.json?.body, 'the body the integration received').toBe('not an order at all');
      await expectReached(probe, nonce, 1);
    },
  );

  gateCase(
    {
      id: 'validation.response.aws-body',
      title:
        'an invalid body is answered 400 {"message":"Invalid request body"} with x-amzn-ErrorType BadRequestException',
      level: 'core',
      features: ['validation'],
      refs: ['aws-semantics.md#errors-gateway-response-types-rest'],
    },
    async ({ client, nonce, strict }) => {
      test.skip(!strict, 'API Gateway body and header: asserted at --profile aws only');
      const res = await client.post('/validated', {
        query: { gpn: nonce, ...PARAMS.query },
        headers: { ...PARAMS.headers, 'content-type': 'application/json' },
        body: without('quantity'),
      });
      expect(res.status).toBe(400);
      expect(errorMessage(res)).toBe('Invalid request body');
      expect(res.headers['x-amzn-errortype'], 'x-amzn-ErrorType').toBe('BadRequestException');
    },
  );
});
