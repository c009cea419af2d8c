import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { coarsen, FineRecorder } from '../src/load/fine-series.js';
import { cutEvidenceBodies, EVIDENCE_BODY_LIMIT } from '../src/results/cut-bodies.js';
import { evidenceText } from '../src/results/evidence-text.js';
import { resultsJson } from '../src/results/write-run.js';
import { sampleResults } from './results-sample.js';

test('an evidence body over the limit keeps its start, its length and its hash; a short one is untouched', () => {
  const body = `${'é'.repeat(EVIDENCE_BODY_LIMIT)}tail`;
  const cut = cutEvidenceBodies({
    request: { method: 'POST', url: 'http://x/', headers: {}, body: 'small' },
    response: { status: 200, headers: {}, body, durationMs: 1 },
  });
  assert.equal(cut.request?.body, 'small');
  assert.equal(cut.request?.bodyCut, undefined);
  assert.equal(cut.response?.body, 'é'.repeat(EVIDENCE_BODY_LIMIT));
  assert.deepEqual(cut.response?.bodyCut, {
    bytes: Buffer.byteLength(body),
    sha256: createHash('sha256').update(body).digest('hex'),
    keptChars: EVIDENCE_BODY_LIMIT,
  });
  assert.deepEqual(cutEvidenceBodies(cut), cut, 'cutting twice changes nothing');
  assert.match(evidenceText(cut), /body cut at 8192 chars: 16388 bytes in all, sha256 [0-9a-f]{64}/);
});

test('the fine series: 100 ms steps, the short last step measured, gaps left at zero responses', () => {
  const r = new FineRecorder();
  // Events come in time order, as the engine records them.
  for (const t of [5, 50, 120, 130, 210, 380]) {
    if (t === 210) {
      r.dropped(t);
      continue;
    }
    r.sent(t);
    r.response(t + 2, t < 300 ? 200 : 429, 1000 * (t + 1), undefined);
  }
  const s = r.finish(420);
  r.destroy();
  assert.equal(s.stepMs, 100);
  assert.equal(s.lastStepMs, 20, 'the run ended 20 ms into its fifth step');
  assert.deepEqual(s.sent, [2, 2, 0, 1, 0]);
  assert.deepEqual(s.byStatus, { 200: [2, 2, 0, 0, 0], 429: [0, 0, 0, 1, 0] });
  assert.deepEqual(s.dropped, [0, 0, 1, 0, 0]);
  assert.equal(s.p99[2], 0);
  assert.ok(s.p99[1]! >= 130_000);
});

test('a long series is coarsened: counts add up, p99 keeps the highest step', () => {
  const n = 4000;
  const s = coarsen(
    {
      stepMs: 100,
      lastStepMs: 40,
      sent: new Array(n).fill(1),
      byStatus: { 200: new Array(n).fill(1) },
      p50: new Array(n).fill(10),
      p99: Array.from({ length: n }, (_, i) => (i === 7 ? 99 : 20)),
      dropped: new Array(n).fill(0),
      errors: new Array(n).fill(0),
    },
    1500,
  );
  assert.equal(s.stepMs, 500);
  assert.equal(s.sent.length, 800);
  assert.equal(s.sent[0], 5);
  assert.equal(s.p99[1], 99);
  assert.equal(s.p50[0], 10);
  assert.equal(s.lastStepMs, 440);
});

test('results.json keeps arrays of numbers on one line, strings untouched', () => {
  const results = sampleResults();
  results.scenarios[0]!.fineSeries = {
    stepMs: 100,
    lastStepMs: 100,
    sent: [1, 2, 3],
    byStatus: { 200: [1, 2, 3] },
    p50: [1.5, 2, 3],
    p99: [4, 5, 6],
    dropped: [0, 0, 0],
    errors: [0, 0, 0],
  };
  results.run.command = 'gateproof run "[\\n 1,\\n 2\\n]"';
  const json = resultsJson(results);
  assert.match(json, /"sent": \[1,2,3\]/);
  assert.match(json, /"p50": \[1\.5,2,3\]/);
  assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(results)));
});
