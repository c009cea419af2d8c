import assert from 'node:assert/strict';
import { test } from 'node:test';
import { throttleBurst } from '../scenarios/throttle-burst.js';
import { expectedHitRatio } from '../src/load/expected-hit-ratio.js';
import { checksFor, evaluateChecks, profileCheckProblems } from '../src/load/finding-checks.js';
import { profileSchema } from '../src/target/profile-schema.js';

const RATE_AND_BURST = {
  'throttle.rate': 'within(declared, 10%)',
  'throttle.burst': 'within(declared, 10%)',
};

function throttle(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    throttle: {
      declaredRate: 200,
      declaredBurst: 100,
      inferredRate: 199.5,
      inferredBurst: 101,
      rateCI: [196, 203],
      burstCI: [95, 106],
      admitted: 700,
      admittedSpanS: 3,
      inferenceTrusted: true,
      ...extra,
    },
  };
}

test('a bucket that matches the declared plan passes; one twice its burst fails, naming the interval', () => {
  const ok = evaluateChecks(RATE_AND_BURST, throttle({}));
  assert.deepEqual(
    ok.map((c) => [c.metric, c.ok, c.value, c.bound]),
    [
      ['throttle.rate', true, 199.5, 200],
      ['throttle.burst', true, 101, 100],
    ],
  );
  const doubled = evaluateChecks(RATE_AND_BURST, throttle({ inferredBurst: 198, burstCI: [190, 205] }));
  assert.equal(doubled[0]?.ok, true, 'the rate is still right');
  assert.equal(doubled[1]?.ok, false);
  assert.match(
    doubled[1]?.note ?? '',
    /^declared 100 lies outside the measured 190\.\.205 widened by 10% \(171\.\.225\.5\)$/,
  );
  // The tolerance is the user's: widened enough, the same reading passes.
  assert.equal(
    evaluateChecks({ 'throttle.burst': 'within(declared, 50%)' }, throttle({ burstCI: [190, 205] }))[0]?.ok,
    true,
  );
});

test('a stalled or unfitted run is never a pass: not judged, unless more was admitted than any declared bucket allows', () => {
  const stalled = evaluateChecks(
    RATE_AND_BURST,
    throttle({ inferenceTrusted: false, note: 'stalled (9 dropped)' }),
  );
  assert.deepEqual(
    stalled.map((c) => [c.ok, c.note]),
    [
      [null, 'stalled (9 dropped)'],
      [null, 'stalled (9 dropped)'],
    ],
  );
  const unfitted = evaluateChecks(
    RATE_AND_BURST,
    throttle({ inferredRate: null, rateCI: null, note: 'no request was refused' }),
  );
  assert.equal(unfitted[0]?.ok, null);
  // 100 + 200 × 3 = 700 at most, 770 with 10 %: 900 admitted is a broken plan whatever the fit.
  const over = evaluateChecks(RATE_AND_BURST, throttle({ inferenceTrusted: false, admitted: 900 }));
  assert.equal(over[0]?.ok, false);
  assert.match(
    over[0]?.note ?? '',
    /^admitted 900 in 3 s, more than a bucket of rate 200 and burst 100 allows \(770 with the tolerance\)$/,
  );
});

test('comparisons read numbers and `expected`; a missing value is not judged', () => {
  const findings = {
    cache: { hitRatio: 0.8, expectedHitRatio: 0.9, invalidationsIgnored: 0 },
    throttle: { share429: 0.4, isolation: { victimShare429: 0.2 } },
  };
  const [low, ignored, victim] = evaluateChecks(
    {
      'cache.hitRatio': '>= expected - 0.05',
      'cache.invalidationsIgnored': '== 0',
      'throttle.share429{key:isolated}': '<= 0.01',
    },
    findings,
  );
  assert.deepEqual([low?.ok, low?.bound, low?.note], [false, 0.85, '0.8 is not >= 0.85']);
  assert.equal(ignored?.ok, true);
  assert.equal(victim?.ok, false);
  assert.equal(
    evaluateChecks({ 'cache.invalidationVisibleMs': '< 1000' }, { cache: { invalidationVisibleMs: null } })[0]
      ?.ok,
    null,
  );
  assert.deepEqual(evaluateChecks({ 'cache.hitRatio': 'off' }, findings), []);
  // A flood never refused tested no isolation: not judged, whatever the other key got.
  const untested = evaluateChecks(
    { 'throttle.share429{key:isolated}': '<= 0.01' },
    { throttle: { share429: 0, isolation: { victimShare429: 0 } } },
  );
  assert.deepEqual(
    untested.map((c) => [c.ok, c.note]),
    [[null, 'the flooding key was never refused: the isolation was not tested']],
  );
});

test('a profile overrides a scenario’s checks; unknown scenarios, metrics and expressions are one-line problems', () => {
  const profile = profileSchema.parse({
    name: 't',
    baseUrl: 'http://127.0.0.1:1',
    checks: { 'throttle-burst': { 'throttle.burst': 'within(declared, 25%)', 'throttle.rate': 'off' } },
  });
  assert.deepEqual(checksFor(throttleBurst, profile), {
    'throttle.rate': 'off',
    'throttle.burst': 'within(declared, 25%)',
  });
  assert.deepEqual(profileCheckProblems(profile, ['throttle-burst']), []);
  const bad = profileSchema.parse({
    name: 't',
    baseUrl: 'http://127.0.0.1:1',
    checks: {
      nope: {},
      'throttle-burst': {
        'throttle.speed': '< 1',
        'cache.hitRatio': 'about right',
        'cache.invalidationsIgnored': 'within(declared, 1%)',
      },
    },
  });
  assert.deepEqual(profileCheckProblems(bad, ['throttle-burst']), [
    'checks.nope: no such scenario; known scenarios: throttle-burst',
    "checks.throttle-burst: unknown check metric 'throttle.speed': use throttle.rate, throttle.burst, throttle.share429, throttle.share429{key:isolated}, cache.hitRatio, cache.invalidationVisibleMs, cache.invalidationVisibleMaxMs, cache.invalidationsIgnored, cache.maxOriginRequestsPerFill, canary.share",
    "checks.throttle-burst: check 'about right' on cache.hitRatio is not valid: expected 'within(declared, 10%)' or a comparison such as '>= expected - 0.05' or '< 1000'",
    'checks.throttle-burst: cache.invalidationsIgnored has no declared value: within() does not apply',
  ]);
});

test('the expected hit ratio: one miss per key seen when the TTL outlasts the run, one per TTL when it does not', () => {
  const one = { param: 'id', distribution: 'uniform', count: 1 } as const;
  // 1 key, 600 requests, TTL 300 s: one miss.
  assert.equal(expectedHitRatio(one, 600, 3, 300), Number((1 - 1 / 600).toFixed(4)));
  // 1 key at 200/s, TTL 1 s over 10 s: about 10 misses.
  assert.ok(Math.abs(expectedHitRatio(one, 2000, 10, 1) - (1 - 10 / 2000)) < 0.001);
  // 1000 Zipf keys, 600 requests: many keys are seen once only, so far from 1.
  const zipf = expectedHitRatio({ param: 'id', distribution: 'zipf', count: 1000, s: 1.1 }, 600, 3, 300);
  assert.ok(zipf > 0.3 && zipf < 0.8, String(zipf));
  assert.equal(expectedHitRatio(one, 0, 3, 300), 0);
});
