import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectResults } from '../src/results/collect.js';
import { EventWriter, readEvents } from '../src/results/events.js';
import type { RunEvent } from '../src/results/model.js';
import { fingerprint } from '../src/results/redact.js';
import { validateResults } from '../src/results/validate.js';
import { rebuildReports } from '../src/results/write-run.js';
import { sampleResults } from './results-sample.js';

const SECRET = 'gp-valid-key-0123456789abcdef';

function startEvent(): RunEvent {
  const { run, target } = sampleResults();
  return { type: 'run-start', run: { ...run, finishedAt: run.startedAt }, target };
}

test('events are on disk as soon as written, with evidence redacted', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'gp-events-')), 'run', 'events.ndjson');
  const writer = new EventWriter(file, [SECRET]);
  writer.write(startEvent());
  const [, failed] = sampleResults().cases;
  writer.write({
    type: 'case',
    case: {
      ...failed!,
      message: `key ${SECRET} was accepted`,
      evidence: [{ request: { method: 'GET', url: '/prod/keyed', headers: { 'x-api-key': SECRET } } }],
    },
  });
  // Read before close: a crash right now must lose nothing.
  const text = readFileSync(file, 'utf8');
  assert.equal(text.split('\n').length, 3);
  assert.ok(!text.includes(SECRET));
  assert.ok(text.includes(fingerprint(SECRET)));
  writer.close();
  const events = readEvents(file);
  assert.equal(events.length, 2);
  assert.equal(events[1]?.type === 'case' && typeof events[1].at, 'string');
});

test('a truncated last line folds into an interrupted run that validates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-crash-'));
  const file = join(dir, 'events.ndjson');
  const writer = new EventWriter(file);
  writer.write(startEvent());
  const [passed, failed, optional] = sampleResults().cases;
  writer.write({ type: 'case', case: passed! });
  writer.write({ type: 'case', case: failed! });
  writer.close();
  appendFileSync(file, JSON.stringify({ type: 'case', case: optional }).slice(0, 40));

  const events = readEvents(file);
  assert.equal(events.length, 3);
  const results = collectResults(events);
  assert.equal(results.run.interrupted, true);
  assert.ok(Date.parse(results.run.finishedAt) >= Date.parse(results.run.startedAt));
  assert.deepEqual(
    results.cases.map((c) => c.status),
    ['pass', 'fail'],
  );
  assert.equal(results.summary.verdict, 'fail');
  assert.deepEqual(validateResults(JSON.parse(JSON.stringify(results))), []);

  const written = rebuildReports(dir);
  assert.deepEqual(
    written.map((f) => f.slice(dir.length + 1)),
    ['results.json', 'junit.xml', 'summary.md', 'index.html'],
  );
  assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /interrupted/);
  // Now results.json exists, and a second rebuild reads it instead of the events.
  assert.deepEqual(
    rebuildReports(dir).map((f) => f.slice(dir.length + 1)),
    ['junit.xml', 'summary.md', 'index.html'],
  );
});

test('a bad line in the middle is an error naming its line', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'gp-bad-')), 'events.ndjson');
  appendFileSync(
    file,
    `${JSON.stringify(startEvent())}\n{"type":"case"\n{"type":"run-end","finishedAt":"x"}\n`,
  );
  assert.throws(() => readEvents(file), /events\.ndjson:2: not a JSON line$/);
});

test('collect: last report of a case wins, run-end finishes the run, verdicts follow the rules', () => {
  const [passed, , optional, skipped, setup, harness] = sampleResults().cases;
  const events: RunEvent[] = [
    startEvent(),
    { type: 'case', case: { ...passed!, status: 'fail' } },
    { type: 'case', case: optional! },
    { type: 'case', case: skipped! },
    { type: 'case', case: setup! },
    { type: 'case', case: harness! },
    { type: 'case', case: passed! },
    { type: 'run-end', finishedAt: '2025-01-01T00:00:05.000Z' },
  ];
  const results = collectResults(events);
  assert.equal(results.run.interrupted, undefined);
  assert.equal(results.run.finishedAt, '2025-01-01T00:00:05.000Z');
  assert.equal(results.cases.length, 5);
  assert.equal(results.cases[0]?.status, 'pass');
  assert.deepEqual(results.summary.counts, {
    pass: 1,
    fail: 0,
    optional_fail: 1,
    skip: 1,
    setup_fail: 1,
    harness_fail: 1,
  });
  // A claimed core case that could not be set up, or whose harness broke, is never a pass.
  assert.equal(results.summary.verdict, 'incomplete');
  assert.match(
    results.summary.reasons[0]!,
    /^1 claimed core case\(s\) are setup_fail: quota\.sample\.setup-fail-1/,
  );
  assert.match(results.summary.reasons[1]!, /^1 claimed core case\(s\) are harness_fail/);
  const clean = collectResults(
    events.filter((e) => e.type !== 'case' || (e.case !== setup && e.case !== harness)),
  );
  assert.equal(clean.summary.verdict, 'pass');
  assert.deepEqual(clean.summary.reasons, []);
  const [scenario] = sampleResults().scenarios;
  const withScenario = collectResults([...events, { type: 'scenario', scenario: scenario! }]);
  assert.equal(withScenario.summary.verdict, 'fail', 'a failed threshold fails the run');
  assert.throws(() => collectResults([]), /no run-start/);
});

test('a directory with neither results.json nor events cannot be rebuilt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-empty-'));
  assert.throws(() => rebuildReports(dir), /holds neither results\.json nor events\.ndjson$/);
  assert.equal(existsSync(join(dir, 'index.html')), false);
});
