import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signRequest } from '../src/auth/sigv4-sign.js';
import { type ReferenceStack, startReferenceStack } from '../src/reference/stack.js';

let stack: ReferenceStack;
before(async () => {
  stack = await startReferenceStack();
});
after(() => stack.close());

function release() {
  const r = stack.profile.release;
  assert.ok(r, 'the reference profile has a release section');
  return r;
}

async function call(method: string, path: string, body?: unknown, sign = true) {
  const r = release();
  const url = `${r.controlPlane}/restapis/${r.restApiId}${path}`;
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const headers = sign
    ? signRequest({
        method,
        url,
        ...(text === undefined ? {} : { body: text }),
        credentials: r.deployer,
        region: r.region,
        service: 'apigateway',
      }).headers
    : {};
  const res = await fetch(url, { method, headers: headers as Record<string, string>, body: text });
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), json: await res.json() };
}

test('the control plane answers in API Gateway shapes, and refuses what AWS refuses in one line', async () => {
  const stages = await call('GET', '/stages');
  assert.equal(stages.status, 200);
  assert.deepEqual(
    stages.json.item.map((s: { stageName: string }) => s.stageName),
    [release().stages.main, release().stages.other],
  );
  const unsigned = await call('GET', '/stages', undefined, false);
  assert.equal(unsigned.status, 403);
  assert.equal(unsigned.type, 'MissingAuthenticationTokenException');
  const wrongService = await fetch(`${release().controlPlane}/restapis/${release().restApiId}/stages`, {
    headers: signRequest({
      method: 'GET',
      url: `${release().controlPlane}/restapis/${release().restApiId}/stages`,
      credentials: release().deployer,
      region: release().region,
    }).headers as Record<string, string>,
  });
  assert.equal(wrongService.status, 403, 'signed for execute-api, not apigateway');
  assert.equal((await call('GET', '/stages/nope')).status, 404);
  const badJson = await call('PATCH', `/stages/${release().stages.main}`, '{not json');
  assert.equal(badJson.status, 400);
  assert.equal(badJson.type, 'BadRequestException');
  const noStage = await call('POST', '/deployments', { stageName: 'nope' });
  assert.equal(noStage.status, 400);
  const deployments = await call('GET', '/deployments');
  assert.equal(
    deployments.json.items.length,
    2,
    'one initial deployment per stage, nothing left by refusals',
  );
});

test('a deployment without a stage is only a snapshot: no stage changes', async () => {
  const before = (await call('GET', `/stages/${release().stages.main}`)).json;
  const created = await call('POST', '/deployments', { description: 'snapshot' });
  assert.equal(created.status, 201);
  assert.match(created.json.id, /^[a-z0-9]+$/);
  const after = (await call('GET', `/stages/${release().stages.main}`)).json;
  assert.equal(after.deploymentId, before.deploymentId);
});
