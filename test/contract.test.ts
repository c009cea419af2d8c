import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateTypes } from '../src/contract/generate-types.js';
import { loadContract, PROBE_CONTRACT_FILE, parseContract } from '../src/contract/load-contract.js';
import { ResponseValidator } from '../src/contract/response-validator.js';
import { REPO } from './helpers/cli.js';

test('the committed generated types are current (run `npm run generate` when this fails)', async () => {
  const committed = readFileSync(join(REPO, 'src/contract/generated/probe-api.ts'), 'utf8');
  assert.equal(
    committed,
    await generateTypes(PROBE_CONTRACT_FILE),
    'src/contract/generated/probe-api.ts is stale',
  );
});

test('a conforming response has no violations', () => {
  const v = new ResponseValidator(loadContract());
  const echo = { version: 1, route: '/keyed', method: 'GET', path: '/keyed', query: {}, headers: {} };
  assert.deepEqual(v.check('/keyed', 'get', 200, 'application/json', JSON.stringify(echo)), []);
  assert.deepEqual(v.check('/keyed', 'get', 403, 'application/json', '{"message":"Forbidden"}'), []);
});

test('a response that breaks the contract yields one line per violation', () => {
  const v = new ResponseValidator(loadContract());
  const bad = v.check(
    '/keyed',
    'get',
    200,
    'application/json',
    JSON.stringify({ version: 'one', route: '/keyed' }),
  );
  assert.ok(
    bad.some((line) => line.includes('GET /keyed → 200: body/version must be integer')),
    bad.join('\n'),
  );
  assert.ok(
    bad.some((line) => line.includes("must have required property 'method'")),
    bad.join('\n'),
  );
  assert.deepEqual(v.check('/keyed', 'get', 418, 'application/json', '{}'), [
    'GET /keyed → 418: status not declared in the contract',
  ]);
  assert.deepEqual(v.check('/keyed', 'get', 200, 'text/html', '<html>'), [
    'GET /keyed → 200: content-type "text/html", contract says application/json',
  ]);
});

test('a contract that is not OpenAPI 3 is refused in one line', () => {
  assert.throws(() => parseContract('swagger: "2.0"\npaths: {}\n', 's.yaml'), {
    message: /^s\.yaml: openapi: expected 3\.0\.x or 3\.1\.x/,
  });
  assert.throws(() => parseContract('openapi: 3.1.0\n', 's.yaml'), { message: /^s\.yaml: paths: missing/ });
  assert.throws(() => parseContract('openapi: [\n', 's.yaml'), {
    message: /^s\.yaml: not valid YAML or JSON/,
  });
});
