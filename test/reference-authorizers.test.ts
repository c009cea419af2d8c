import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { type Issuer, startIssuer } from '../src/auth/oidc-issuer.js';
import { connectIssuer } from '../src/auth/remote-issuer.js';
import { signRequest } from '../src/auth/sigv4-sign.js';
import { type Probe, startProbe } from '../src/probe/server.js';
import { type ReferenceGateway, startReferenceGateway } from '../src/reference/server.js';
import { type ReferenceStack, startReferenceStack } from '../src/reference/stack.js';

/** The authorizers as the reference gateway runs them: what reaches the integration, and what does not. */

async function call(url: string, headers: Record<string, string | string[]> = {}) {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

describe('reference gateway authorizers', () => {
  let stack: ReferenceStack;
  let base: string;
  before(async () => {
    stack = await startReferenceStack();
    base = `${stack.gatewayUrl}/test`;
  });
  after(() => stack.close());

  test('SigV4: the Authorization header, or the presigned parameters, never reach the integration', async () => {
    const sigv4 = stack.profile.sigv4!;
    const credentials = { accessKeyId: sigv4.accessKeyId, secretAccessKey: sigv4.secretAccessKey };
    const header = signRequest({ method: 'GET', url: `${base}/iam?a=1`, credentials, region: sigv4.region });
    const echoed = (await call(header.url, header.headers as Record<string, string>)).json();
    assert.equal(echoed.headers.authorization, undefined);
    assert.equal(echoed.headers['x-amz-date'] !== undefined, true, 'other headers pass');

    const presigned = signRequest({
      method: 'GET',
      url: `${base}/iam?a=1`,
      credentials,
      region: sigv4.region,
      signQuery: true,
    });
    const res = await call(presigned.url, presigned.headers as Record<string, string>);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json().query), ['a']);
  });

  test("a caller's own x-gp-authorizer-* headers never reach the integration as authorizer context", async () => {
    const allow = stack.profile.authorizer!.tokens.allow;
    const res = await call(`${base}/authorizer`, {
      authorization: allow,
      'x-gp-authorizer-principalid': 'admin',
      'x-gp-authorizer-role': 'admin',
    });
    const headers = res.json().headers;
    assert.notEqual(headers['x-gp-authorizer-principalid'], 'admin');
    assert.equal(headers['x-gp-authorizer-role'], undefined);
    const open = (await call(`${base}/open`, { 'x-gp-authorizer-role': 'admin' })).json();
    assert.equal(open.headers['x-gp-authorizer-role'], undefined);
  });

  test('the JWT authorizer passes claims on as x-gp-authorizer-claims-*', async () => {
    const jwt = stack.profile.jwt!;
    const issuer = await connectIssuer({
      issuerUrl: String(jwt.issuer),
      audience: jwt.audience,
      mintUrl: jwt.mint!.url,
      secret: jwt.mint!.secret,
    });
    const res = await call(`${base}/jwt`, { authorization: `Bearer ${await issuer.mint({ sub: 'alice' })}` });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().headers['x-gp-authorizer-claims-sub'], 'alice');
  });
});

describe('reference gateway: JWT authorizers from the contract', () => {
  let issuer: Issuer;
  let probe: Probe;
  const gateways: ReferenceGateway[] = [];
  const contract = (type: 'jwt' | 'cognito_user_pools') => `
openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /me:
    get:
      security: [{ users: [] }]
      responses: { "200": { description: ok } }
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: "\${stageVariables.probeUrl}/me" }
components:
  securitySchemes:
    users:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: ${type}
        identitySource: method.request.header.Authorization
        jwtConfiguration: { issuer: "\${stageVariables.jwtIssuer}", audience: [gateproof] }
`;
  const start = async (type: 'jwt' | 'cognito_user_pools', variables: Record<string, string>) => {
    const file = join(mkdtempSync(join(tmpdir(), 'gp-contract-')), 'api.yaml');
    writeFileSync(file, contract(type));
    const gateway = await startReferenceGateway({
      contract: file,
      stage: { name: 'test', variables: { probeUrl: probe.url, ...variables } },
    });
    gateways.push(gateway);
    return gateway;
  };

  before(async () => {
    [issuer, probe] = await Promise.all([startIssuer({ audience: 'gateproof' }), startProbe()]);
  });
  after(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await Promise.all([issuer.close(), probe.close()]);
  });

  test("the Cognito variant answers an expired token with 'The incoming token has expired'", async () => {
    const gateway = await start('cognito_user_pools', { jwtIssuer: issuer.issuerUrl });
    const iat = Math.floor(Date.now() / 1000) - 1200;
    const expired = await issuer.mint({ iat, exp: iat + 600 });
    const res = await call(`${gateway.url}/test/me`, { authorization: expired });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), { message: 'The incoming token has expired' });
    assert.equal((await call(`${gateway.url}/test/me`, { authorization: await issuer.mint() })).status, 200);
  });

  test('an authorizer whose issuer is not configured fails closed with 500', async () => {
    const gateway = await start('jwt', {});
    const res = await call(`${gateway.url}/test/me`, { authorization: `Bearer ${await issuer.mint()}` });
    assert.equal(res.status, 500);
    assert.deepEqual(res.json(), { message: null });
    assert.equal(probe.counters().total, 1, 'only the Cognito case reached the probe');
  });
});

describe('issuer mint API', () => {
  let issuer: Issuer;
  before(async () => {
    issuer = await startIssuer({ audience: 'gateproof', mintSecret: 'a-test-mint-secret' });
  });
  after(() => issuer.close());

  test('refuses callers without the secret', async () => {
    const options = { issuerUrl: issuer.issuerUrl, audience: 'gateproof', mintUrl: issuer.issuerUrl };
    await assert.rejects(connectIssuer({ ...options, secret: 'wrong' }), /answered signers with 401/);
  });

  test('mints, signs, removes claims and rotates for a remote caller, as the issuer itself would', async () => {
    const remote = await connectIssuer({
      issuerUrl: issuer.issuerUrl,
      audience: 'gateproof',
      mintUrl: issuer.issuerUrl,
      secret: 'a-test-mint-secret',
    });
    assert.equal(remote.signingKey('ES256').kid, issuer.signingKey('ES256').kid);
    const token = await remote.mint({ sub: 'bob', scope: undefined }, { header: { kid: 'other' } });
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part!, 'base64url').toString()));
    assert.equal(header.kid, 'other');
    assert.equal(payload.sub, 'bob');
    assert.equal('scope' in payload, false);
    const signed = await remote.sign(new TextEncoder().encode('not json'));
    assert.equal(Buffer.from(signed.split('.')[1]!, 'base64url').toString(), 'not json');
    const rotated = await remote.rotate();
    assert.equal(rotated.kid, issuer.signingKey('RS256').kid);
    assert.ok(issuer.jwks().keys.some((key) => key.kid === rotated.kid));
  });
});
