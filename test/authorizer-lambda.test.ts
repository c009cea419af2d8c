import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authorizerHeaders } from '../src/reference/authorizer-outcome.js';
import {
  type AuthorizerEvent,
  type AuthorizerFunction,
  createLambdaAuthorizer,
  type LambdaAuthorizerConfig,
  type LambdaAuthorizerRequest,
  type LambdaOutcome,
} from '../src/reference/lambda-authorizer.js';
import { createReferenceAuthorizerFunction } from '../src/reference/lambda-authorizer-function.js';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:gateproof/test';

function request(token: string | undefined, method = 'GET', query = ''): LambdaAuthorizerRequest {
  return {
    methodArn: `${ARN}/${method}/authorizer`,
    httpMethod: method,
    resourcePath: '/authorizer',
    path: '/test/authorizer',
    headers: token === undefined ? {} : { authorization: token },
    query: new URLSearchParams(query),
    stage: 'test',
    requestId: 'req-1',
  };
}

function setup(overrides: Partial<LambdaAuthorizerConfig> = {}) {
  let ms = Date.UTC(2024, 0, 1);
  const fn = createReferenceAuthorizerFunction();
  const authorizer = createLambdaAuthorizer({
    type: 'TOKEN',
    fn,
    identitySource: 'method.request.header.Authorization',
    identityValidationExpression: '^[A-Za-z0-9._-]+$',
    now: () => ms,
    ...overrides,
  });
  return { fn, authorizer, advance: (seconds: number) => (ms += seconds * 1000) };
}

function assertRejected(outcome: LambdaOutcome, status: number, body: Record<string, string | null>): void {
  assert.equal(outcome.ok, false, 'expected a rejection');
  assert.ok(!outcome.ok);
  assert.equal(outcome.status, status);
  assert.deepEqual(outcome.body, body);
}

const UNAUTHORIZED = { message: 'Unauthorized' };
const EXPLICIT_DENY = { Message: 'User is not authorized to access this resource with an explicit deny' };
const CONFIGURATION_ERROR = { message: null };

describe('Lambda-style authorizer: outcomes', () => {
  test('allow passes principal and context on, every value a string, as x-gp-authorizer-* headers', async () => {
    const { fn, authorizer } = setup();
    const outcome = await authorizer.authorize(request('allow-alice'));
    assert.ok(outcome.ok);
    assert.equal(outcome.principalId, 'alice');
    assert.equal(outcome.cached, false);
    assert.deepEqual(authorizerHeaders(outcome.context), {
      'x-gp-authorizer-principal': 'alice',
      'x-gp-authorizer-tier': '2',
      'x-gp-authorizer-verified': 'true',
      'x-gp-authorizer-invocation': '1',
      'x-gp-authorizer-principalid': 'alice',
    });
    assert.equal(fn.invocations, 1);
  });

  test('deny is 403 with the explicit-deny message', async () => {
    const { authorizer } = setup();
    const outcome = await authorizer.authorize(request('deny-bob'));
    assertRejected(outcome, 403, EXPLICIT_DENY);
    assert.ok(!outcome.ok && outcome.type === 'ACCESS_DENIED');
  });

  test('the function saying Unauthorized, or not knowing the token, is 401', async () => {
    const { authorizer } = setup();
    assertRejected(await authorizer.authorize(request('unauthorized-carol')), 401, UNAUTHORIZED);
    assertRejected(await authorizer.authorize(request('someone-else')), 401, UNAUTHORIZED);
  });

  test('a crashing function is 500 {"message": null} and the reason does not quote it', async () => {
    const { authorizer } = setup();
    const outcome = await authorizer.authorize(request('crash-dave'));
    assertRejected(outcome, 500, CONFIGURATION_ERROR);
    assert.ok(!outcome.ok && outcome.type === 'AUTHORIZER_CONFIGURATION_ERROR');
    assert.doesNotMatch(outcome.reason, /crash-dave/);
  });

  test('malformed results are 500', async () => {
    const statement = { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${ARN}/*` };
    const malformed: unknown[] = [
      undefined,
      'Allow',
      { policyDocument: { Statement: [statement] } },
      { principalId: 'p' },
      { principalId: 'p', policyDocument: { Statement: [{ ...statement, Effect: 'allow' }] } },
      {
        principalId: 'p',
        policyDocument: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke' }] },
      },
      { principalId: 'p', policyDocument: { Statement: [statement] }, context: { nested: { a: 1 } } },
      { principalId: 'p', policyDocument: { Statement: [statement] }, context: { list: ['a'] } },
      { principalId: 'p', policyDocument: { Statement: [statement] }, usageIdentifierKey: 7 },
    ];
    for (const answer of malformed) {
      const { authorizer } = setup({ fn: () => answer });
      assertRejected(await authorizer.authorize(request('anything')), 500, CONFIGURATION_ERROR);
    }
  });

  test('a function slower than its time limit is 500', async () => {
    const slow: AuthorizerFunction = () => new Promise((resolve) => setTimeout(resolve, 200));
    const { authorizer } = setup({ fn: slow, timeoutMs: 20 });
    assertRejected(await authorizer.authorize(request('allow-erin')), 500, CONFIGURATION_ERROR);
  });

  test('a policy that allows nothing matching the method is 403 without "explicit deny"', async () => {
    const other = { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${ARN}/POST/other` };
    const { authorizer } = setup({
      fn: () => ({ principalId: 'p', policyDocument: { Statement: [other] } }),
    });
    assertRejected(await authorizer.authorize(request('x')), 403, {
      Message: 'User is not authorized to access this resource',
    });
  });

  test('usageIdentifierKey is handed to the gateway', async () => {
    const statement = { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${ARN}/*` };
    const { authorizer } = setup({
      fn: () => ({
        principalId: 'p',
        policyDocument: { Statement: statement },
        usageIdentifierKey: 'key-123',
      }),
    });
    const outcome = await authorizer.authorize(request('x'));
    assert.ok(outcome.ok);
    assert.equal(outcome.usageIdentifierKey, 'key-123');
  });
});

describe('Lambda-style authorizer: identity sources', () => {
  test('a missing or empty identity source is 401 without calling the function', async () => {
    const { fn, authorizer } = setup();
    for (const token of [undefined, '', '   ']) {
      assertRejected(await authorizer.authorize(request(token)), 401, UNAUTHORIZED);
    }
    assert.equal(fn.invocations, 0);
  });

  test('a token failing identityValidationExpression is 401 without calling the function', async () => {
    const { fn, authorizer } = setup();
    assertRejected(await authorizer.authorize(request('allow-x y')), 401, UNAUTHORIZED);
    assertRejected(await authorizer.authorize(request('Bearer allow-x')), 401, UNAUTHORIZED);
    assert.equal(fn.invocations, 0);
  });

  test('REQUEST: every source must be present; the event carries headers and query', async () => {
    const events: AuthorizerEvent[] = [];
    const reference = createReferenceAuthorizerFunction();
    const { authorizer } = setup({
      type: 'REQUEST',
      identityValidationExpression: undefined,
      identitySource: 'method.request.header.Authorization, method.request.querystring.tenant',
      fn: (event) => {
        events.push(event);
        return reference(event);
      },
    });
    assertRejected(await authorizer.authorize(request('allow-frank')), 401, UNAUTHORIZED);
    assertRejected(await authorizer.authorize(request(undefined, 'GET', 'tenant=t1')), 401, UNAUTHORIZED);
    assert.equal(events.length, 0);
    const outcome = await authorizer.authorize(request('allow-frank', 'GET', 'tenant=t1'));
    assert.ok(outcome.ok);
    const [event] = events;
    assert.ok(event?.type === 'REQUEST');
    assert.equal(event.headers.authorization, 'allow-frank');
    assert.deepEqual(event.queryStringParameters, { tenant: 't1' });
    assert.equal(event.methodArn, `${ARN}/GET/authorizer`);
    assert.equal((await authorizer.authorize(request('allow-frank', 'GET', 'tenant=t2'))).ok, true);
    assert.equal(events.length, 2, 'another tenant is another cache entry');
  });

  test('bad configurations are refused with one clear line', () => {
    const fn = createReferenceAuthorizerFunction();
    const base = { type: 'TOKEN' as const, fn, identitySource: 'method.request.header.Authorization' };
    assert.throws(() => createLambdaAuthorizer({ ...base, resultTtlSeconds: 3601 }), /0 to 3600/);
    assert.throws(
      () => createLambdaAuthorizer({ ...base, identitySource: 'method.request.querystring.t' }),
      /one header/,
    );
    assert.throws(
      () => createLambdaAuthorizer({ ...base, identitySource: 'context.foo' }),
      /identitySource "context.foo"/,
    );
    assert.throws(
      () => createLambdaAuthorizer({ ...base, type: 'REQUEST', identityValidationExpression: '.*' }),
      /TOKEN authorizers only/,
    );
    assert.throws(
      () => createLambdaAuthorizer({ ...base, type: 'REQUEST', identitySource: '' }),
      /caching on/,
    );
  });
});

describe('Lambda-style authorizer: result cache', () => {
  test('a result is served from the cache until its TTL (default 300 s) runs out', async () => {
    const { fn, authorizer, advance } = setup();
    assert.equal((await authorizer.authorize(request('allow-gina'))).ok, true);
    advance(299);
    const hit = await authorizer.authorize(request('allow-gina'));
    assert.ok(hit.ok && hit.cached);
    assert.equal(fn.invocations, 1);
    advance(1);
    const miss = await authorizer.authorize(request('allow-gina'));
    assert.ok(miss.ok && !miss.cached);
    assert.equal(fn.invocations, 2);
  });

  test('a chosen TTL is honoured, and 0 turns the cache off', async () => {
    const short = setup({ resultTtlSeconds: 5 });
    await short.authorizer.authorize(request('allow-hank'));
    short.advance(4);
    await short.authorizer.authorize(request('allow-hank'));
    assert.equal(short.fn.invocations, 1);
    short.advance(1);
    await short.authorizer.authorize(request('allow-hank'));
    assert.equal(short.fn.invocations, 2);

    const off = setup({ resultTtlSeconds: 0 });
    for (let i = 0; i < 3; i += 1) await off.authorizer.authorize(request('allow-hank'));
    assert.equal(off.fn.invocations, 3);
  });

  test('a cached deny stays a deny; refusals and crashes are not cached', async () => {
    const { fn, authorizer } = setup();
    assertRejected(await authorizer.authorize(request('deny-ivan')), 403, EXPLICIT_DENY);
    assertRejected(await authorizer.authorize(request('deny-ivan')), 403, EXPLICIT_DENY);
    assert.equal(fn.invocations, 1);
    await authorizer.authorize(request('unauthorized-ivan'));
    await authorizer.authorize(request('unauthorized-ivan'));
    await authorizer.authorize(request('crash-ivan'));
    await authorizer.authorize(request('crash-ivan'));
    assert.equal(fn.invocations, 5);
  });

  test("the cache does not leak one identity's answer to another", async () => {
    const { fn, authorizer } = setup();
    assert.equal((await authorizer.authorize(request('allow-judy'))).ok, true);
    assertRejected(await authorizer.authorize(request('deny-mallory')), 403, EXPLICIT_DENY);
    assertRejected(await authorizer.authorize(request('unauthorized-mallory')), 401, UNAUTHORIZED);
    const judy = await authorizer.authorize(request('allow-judy'));
    assert.ok(judy.ok && judy.cached && judy.principalId === 'judy');
    assert.equal(fn.invocations, 3);
  });

  test('a cached policy applies across methods, evaluated against each method ARN', async () => {
    const { fn, authorizer } = setup();
    await authorizer.authorize(request('allow-kim', 'GET'));
    const post = await authorizer.authorize(request('allow-kim', 'POST'));
    assert.ok(post.ok && post.cached);
    assert.equal(fn.invocations, 1);

    // A policy naming only the first method's ARN, cached, denies the next method: AWS's own trap.
    const { authorizer: narrow } = setup({
      fn: (event) => ({
        principalId: 'kim',
        policyDocument: {
          Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: event.methodArn }],
        },
      }),
    });
    assert.equal((await narrow.authorize(request('kim', 'GET'))).ok, true);
    assertRejected(await narrow.authorize(request('kim', 'POST')), 403, {
      Message: 'User is not authorized to access this resource',
    });
  });

  test("under the fault authorizer-cache-ignores-identity, one caller is served another's policy", async () => {
    const { authorizer } = setup({ fault: 'authorizer-cache-ignores-identity' });
    await authorizer.authorize(request('allow-judy'));
    const mallory = await authorizer.authorize(request('deny-mallory'));
    assert.ok(mallory.ok && mallory.principalId === 'judy');
  });
});
