import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadContract, parseContract } from '../src/contract/load-contract.js';
import { apiModel } from '../src/reference/api-model.js';
import { type GatewayConfigInput, parseGatewayConfig } from '../src/reference/config.js';
import { FAULTS, parseFault } from '../src/reference/faults.js';
import { type GATEWAY_RESPONSES, gatewayResponse } from '../src/reference/gateway-responses.js';

const KEY = 'k'.repeat(20);
const base = (): GatewayConfigInput => ({
  stage: { name: 'test', variables: { probeUrl: 'http://127.0.0.1:1' } },
  apiKeys: [
    { id: 'a', value: KEY },
    { id: 'b', value: 'b'.repeat(20) },
  ],
  usagePlans: [{ id: 'p', apiStages: [{ stage: 'test' }], apiKeyIds: ['a'] }],
});

describe('reference gateway config', () => {
  it('applies defaults', () => {
    const config = parseGatewayConfig(base());
    assert.equal(config.integrationTimeoutMs, 29_000);
    assert.equal(config.apiKeys[0]?.enabled, true);
    assert.deepEqual(config.usagePlans[0]?.apiStages[0]?.throttle, {});
  });

  const bad: [string, (config: GatewayConfigInput) => void, RegExp][] = [
    [
      'a short key',
      (c) => {
        c.apiKeys![0]!.value = 'short';
      },
      /^reference gateway config: apiKeys\.0\.value: must be 20 to 128/,
    ],
    [
      'a long key',
      (c) => {
        c.apiKeys![0]!.value = 'x'.repeat(129);
      },
      /apiKeys\.0\.value: must be 20 to 128/,
    ],
    [
      'an unknown key id',
      (c) => {
        c.usagePlans![0]!.apiKeyIds!.push('zz');
      },
      /usagePlans\.0\.apiKeyIds\.1: unknown key id zz/,
    ],
    [
      'a duplicate key id',
      (c) => {
        c.apiKeys![1]!.id = 'a';
      },
      /apiKeys\.1\.id: duplicate of apiKeys\.0\.id/,
    ],
    [
      'a key in two plans of one stage',
      (c) => {
        c.usagePlans!.push({ id: 'q', apiStages: [{ stage: 'test' }], apiKeyIds: ['a'] });
      },
      /usagePlans\.1\.apiKeyIds\.0: key a is already in plan p for stage test/,
    ],
    [
      'a bad method throttle key',
      (c) => {
        c.usagePlans![0]!.apiStages[0]!.throttle = { keyed: { rateLimit: 1, burstLimit: 1 } };
      },
      /throttle/,
    ],
    [
      'a bad stage variable',
      (c) => {
        c.stage.variables = { probeUrl: 'has space' };
      },
      /stage\.variables\.probeUrl/,
    ],
    ['an unknown field', (c) => Object.assign(c, { surprise: 1 }), /surprise/],
  ];
  for (const [what, mutate, message] of bad) {
    it(`refuses ${what} in one line`, () => {
      const config = base();
      mutate(config);
      assert.throws(
        () => parseGatewayConfig(config),
        (err: Error) => message.test(err.message) && !err.message.includes('\n'),
      );
    });
  }

  it('never shows a key value in an error', () => {
    const config = base();
    config.apiKeys![1]!.value = KEY;
    assert.throws(
      () => parseGatewayConfig(config),
      (err: Error) =>
        /apiKeys\.1\.value: same value as apiKeys\.0/.test(err.message) && !err.message.includes(KEY),
    );
  });
});

describe('api model from the contract', () => {
  const model = apiModel(loadContract());
  const method = (key: string) => model.methods.find((m) => m.methodKey === key);

  it('reads every method the way an import would', () => {
    assert.equal(model.apiKeySource, 'HEADER');
    assert.equal(method('/open/GET')?.apiKeyRequired, false);
    assert.equal(method('/open/GET')?.authorization.type, 'NONE');
    assert.equal(method('/keyed/GET')?.apiKeyRequired, true);
    assert.equal(method('/quota/GET')?.apiKeyRequired, true);
    assert.equal(method('/iam/POST')?.authorization.type, 'AWS_IAM');
    assert.deepEqual(method('/jwt/GET')?.authorization.scopes, ['gateproof/read']);
    assert.equal(method('/jwt/GET')?.authorization.type, 'JWT');
    assert.equal(method('/authorizer/GET')?.authorization.type, 'CUSTOM');
    assert.equal(method('/keyed/GET')?.integration.uri, '${stageVariables.probeUrl}/keyed');
    assert.deepEqual(method('/cached/GET')?.integration.cacheKeyParameters, [
      'method.request.querystring.id',
    ]);
  });

  it('leaves out what only gateproof calls', () => {
    assert.equal(method('/__probe/counters/GET'), undefined);
  });

  const contract = (operation: string) =>
    parseContract(
      `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /x:
    get:
${operation}
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
`,
      'inline.yaml',
    );

  it('refuses a method without an integration', () => {
    assert.throws(
      () => apiModel(contract('      responses: {}')),
      /GET \/x: no x-amazon-apigateway-integration/,
    );
  });

  it('refuses an integration type it cannot serve', () => {
    assert.throws(
      () => apiModel(contract('      x-amazon-apigateway-integration: {type: aws, uri: arn}')),
      /GET \/x: integration type aws is not supported/,
    );
  });

  it('refuses a security scheme API Gateway cannot enforce', () => {
    const doc = contract(
      '      security: [{basic: []}]\n      x-amazon-apigateway-integration: {type: http_proxy, uri: "http://a/x"}',
    );
    assert.throws(() => apiModel(doc), /GET \/x: security scheme basic is not an API Gateway authorizer/);
  });
});

describe('faults', () => {
  it('are named, described and break at least one case or scenario', () => {
    assert.ok(FAULTS.length >= 6);
    assert.equal(new Set(FAULTS.map((f) => f.name)).size, FAULTS.length);
    for (const fault of FAULTS) {
      assert.match(fault.name, /^[a-z0-9]+(-[a-z0-9]+)+$/);
      assert.ok(fault.description.length > 10);
      const scenarios: readonly string[] = 'scenarios' in fault ? fault.scenarios : [];
      assert.ok(fault.breaks.length + scenarios.length > 0, fault.name);
      for (const id of fault.breaks) assert.match(id, /^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
      assert.equal(parseFault(fault.name), fault.name);
    }
  });

  it('refuse an unknown name, listing the known ones', () => {
    assert.equal(parseFault(undefined), undefined);
    assert.throws(() => parseFault('nope'), /unknown fault "nope"; known faults: apikey-disabled-accepted, /);
  });
});

describe('gateway responses', () => {
  it('carry the AWS status, error type and body', () => {
    const expected = {
      MISSING_AUTHENTICATION_TOKEN: [
        403,
        'MissingAuthenticationTokenException',
        'Missing Authentication Token',
      ],
      INVALID_API_KEY: [403, 'ForbiddenException', 'Forbidden'],
      THROTTLED: [429, 'TooManyRequestsException', 'Too Many Requests'],
      QUOTA_EXCEEDED: [429, 'LimitExceededException', 'Limit Exceeded'],
      UNAUTHORIZED: [401, 'UnauthorizedException', 'Unauthorized'],
      AUTHORIZER_CONFIGURATION_ERROR: [500, 'AuthorizerConfigurationException', null],
      INTEGRATION_TIMEOUT: [504, undefined, 'Endpoint request timed out'],
    } as const;
    for (const [type, [status, errorType, message]] of Object.entries(expected)) {
      const reply = gatewayResponse(type as keyof typeof GATEWAY_RESPONSES);
      assert.equal(reply.status, status, type);
      assert.equal(reply.headers['x-amzn-ErrorType'], errorType, type);
      assert.equal(reply.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(String(reply.body)), { message }, type);
    }
  });

  it('take a situation-specific message or body', () => {
    assert.deepEqual(JSON.parse(String(gatewayResponse('ACCESS_DENIED', { message: 'no' }).body)), {
      message: 'no',
    });
    const deny = gatewayResponse('ACCESS_DENIED', { body: { Message: 'explicit deny' } });
    assert.deepEqual(JSON.parse(String(deny.body)), { Message: 'explicit deny' });
  });
});
