import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closingSummary } from '../src/cli/closing-summary.js';
import { availableSuites } from '../src/run/run-suites.js';
import { suiteGroups } from '../src/run/suite-groups.js';
import { sampleResults } from './results-sample.js';

test('suites that share the authorizer function or the release stages run one at a time; every other suite side by side', () => {
  const all = availableSuites();
  const shared = ['authorizer', 'cors', 'stages', 'canary'];
  assert.deepEqual(suiteGroups(all), [
    { suites: ['authorizer', 'cors'], oneAtATime: true },
    { suites: ['stages', 'canary'], oneAtATime: true },
    { suites: all.filter((s) => !shared.includes(s)), oneAtATime: false },
  ]);
  assert.deepEqual(suiteGroups(['cors', 'jwt']), [
    { suites: ['cors'], oneAtATime: true },
    { suites: ['jwt'], oneAtATime: false },
  ]);
  assert.deepEqual(suiteGroups([]), []);
});

test('the closing summary ends with where the time went: phases, each suite and scenario', () => {
  const results = sampleResults();
  const summary = closingSummary(results, {
    target: 1200,
    suites: 30_000,
    scenarios: 20_000,
    scenario: { 'throttle-steady': 4500, 'cache-stampede': 3000 },
    reports: 400,
    total: 51_600,
  });
  const lines = summary.trim().split('\n');
  const at = lines.indexOf('time 51.6 s');
  assert.ok(at > 0, summary);
  assert.match(lines[at + 1]!, /^ {2}target +1\.2 s$/);
  assert.match(lines[at + 2]!, /^ {2}suites +30\.0 s; case time: apikey \d+\.\d s/);
  assert.equal(lines[at + 3], '  scenarios  20.0 s: throttle-steady 4.5 s, cache-stampede 3.0 s');
  assert.equal(lines[at + 4], '  reports    0.4 s');
  assert.doesNotMatch(closingSummary(results), /^time /m);
});
