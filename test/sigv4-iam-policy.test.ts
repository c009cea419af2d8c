import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluatePolicy, type IamPolicy, methodArn } from '../src/reference/iam-policy.js';

const API = 'arn:aws:execute-api:us-east-1:123456789012:apiid';
const GET_IAM = `${API}/test/GET/iam`;

test('methodArn joins region, account, API, stage, method and the path without its leading slash', () => {
  const parts = {
    region: 'us-east-1',
    accountId: '123456789012',
    apiId: 'apiid',
    stage: 'test',
    method: 'GET',
  };
  assert.equal(methodArn({ ...parts, path: '/iam' }), GET_IAM);
  assert.equal(methodArn({ ...parts, path: 'pets/7' }), `${API}/test/GET/pets/7`);
  assert.equal(methodArn({ ...parts, path: '/' }), `${API}/test/GET/`);
});

test('nothing allowed is an implicit deny', () => {
  assert.equal(evaluatePolicy({ Statement: [] }, 'execute-api:Invoke', GET_IAM), 'implicit-deny');
  const other: IamPolicy = {
    Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${API}/prod/*` }],
  };
  assert.equal(evaluatePolicy(other, 'execute-api:Invoke', GET_IAM), 'implicit-deny');
});

test('an explicit deny wins over any allow, in any order', () => {
  const allow = { Effect: 'Allow', Action: '*', Resource: '*' } as const;
  const deny = { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: GET_IAM } as const;
  for (const Statement of [
    [allow, deny],
    [deny, allow],
  ]) {
    assert.equal(evaluatePolicy({ Statement }, 'execute-api:Invoke', GET_IAM), 'deny');
  }
  assert.equal(
    evaluatePolicy({ Statement: [allow, deny] }, 'execute-api:Invoke', `${API}/test/POST/iam`),
    'allow',
  );
});

test('actions match exactly, by service wildcard or by *, ignoring case', () => {
  const decide = (
    Action: IamPolicy['Statement'][number]['Action'],
    action: 'execute-api:Invoke' | 'execute-api:InvalidateCache',
  ) => evaluatePolicy({ Statement: [{ Effect: 'Allow', Action, Resource: '*' }] }, action, GET_IAM);
  assert.equal(decide('execute-api:Invoke', 'execute-api:Invoke'), 'allow');
  assert.equal(decide('execute-api:Invoke', 'execute-api:InvalidateCache'), 'implicit-deny');
  assert.equal(decide('execute-api:InvalidateCache', 'execute-api:InvalidateCache'), 'allow');
  assert.equal(decide('execute-api:*', 'execute-api:InvalidateCache'), 'allow');
  assert.equal(decide('*', 'execute-api:Invoke'), 'allow');
  assert.equal(decide(['execute-api:InvalidateCache', 'execute-api:Invoke'], 'execute-api:Invoke'), 'allow');
  assert.equal(decide('EXECUTE-API:invoke' as 'execute-api:Invoke', 'execute-api:Invoke'), 'allow');
});

test('resources match with * and ? wildcards, case-sensitively, every other character literal', () => {
  const decide = (Resource: string | string[], arn: string) =>
    evaluatePolicy(
      { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource }] },
      'execute-api:Invoke',
      arn,
    );
  assert.equal(decide(`${API}/test/*/iam`, GET_IAM), 'allow');
  assert.equal(decide(`${API}/*`, GET_IAM), 'allow');
  assert.equal(decide(`${API}/test/GE?/iam`, GET_IAM), 'allow');
  assert.equal(decide(`${API}/test/G?/iam`, GET_IAM), 'implicit-deny');
  assert.equal(decide(`${API}/test/get/iam`, GET_IAM), 'implicit-deny');
  assert.equal(decide(`${API}/test/GET/iam`, `${API}/test/GET/iam/sub`), 'implicit-deny');
  assert.equal(decide(`${API}/test/GET/ia.`, `${API}/test/GET/iax`), 'implicit-deny');
  assert.equal(decide(['arn:aws:execute-api:eu-west-1:*', GET_IAM], GET_IAM), 'allow');
});
