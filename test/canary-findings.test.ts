import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canaryFindings, channelClassifier, wilsonInterval } from '../src/load/canary-findings.js';
import { evaluateChecks } from '../src/load/finding-checks.js';

test("Wilson's 99 % interval: inside [0, 1], around the share, narrower with more trials", () => {
  const [lo, hi] = wilsonInterval(60, 600);
  assert.ok(lo < 0.1 && hi > 0.1, `${lo}..${hi}`);
  assert.ok(lo > 0.07 && hi < 0.14, `${lo}..${hi}`);
  const [wideLo, wideHi] = wilsonInterval(6, 60);
  assert.ok(wideHi - wideLo > hi - lo);
  assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
  const [zeroLo] = wilsonInterval(0, 100);
  assert.equal(zeroLo, 0);
});

test('the canary share is counted by deployment at the probe, and judged against the declared share', () => {
  const seen = { '/release/main#stageid': 540, '/release/main/v2#canaryid': 60 };
  const findings = { canary: canaryFindings(seen, 'canaryid', 10) };
  assert.equal(findings.canary.share, 0.1);
  assert.equal(findings.canary.atProbe, 600);
  const [held] = evaluateChecks({ 'canary.share': 'within(declared, 0%)' }, findings);
  assert.equal(held?.ok, true);
  const doubled = { canary: canaryFindings({ 'a#stageid': 480, 'b#canaryid': 120 }, 'canaryid', 10) };
  const [broken] = evaluateChecks({ 'canary.share': 'within(declared, 0%)' }, doubled);
  assert.equal(broken?.ok, false);
  const none = { canary: canaryFindings({}, 'canaryid', 10) };
  assert.equal(evaluateChecks({ 'canary.share': 'within(declared, 0%)' }, none)[0]?.ok, null);
});

test('latency is tagged by the channel the probe echoes; other answers are not tagged', () => {
  const classify = channelClassifier('canaryid');
  assert.equal(classify(200, {}, '{"headers":{"x-gp-tag":"canaryid"}}'), 'canary');
  assert.equal(classify(200, {}, '{"headers":{"x-gp-tag":"stageid"}}'), 'stage');
  assert.equal(classify(429, {}, '{"message":"Too Many Requests"}'), undefined);
});
