import { summarize } from '../src/results/collect.js';
import type { CaseResult, Evidence, Results, ScenarioResult, Status } from '../src/results/model.js';

/** What a hostile target might send back: markup, attribute breakouts, a CDATA end, control characters. */
export const HOSTILE = `<script>alert(1)</script> "><img src=x onerror=alert(1)> ]]> \u0000\u0007\u001b[31m\u007f\ud800 ' end`;

export const hostileEvidence: Evidence = {
  request: { method: 'GET', url: 'http://127.0.0.1:1/prod/echo?q=<script>', headers: { 'x-probe': HOSTILE } },
  response: {
    status: 403,
    headers: { 'content-type': 'text/html', 'x-evil': HOSTILE },
    body: `<html>${HOSTILE}</html>`,
    durationMs: 3.2,
  },
  origin: { reached: 0, note: HOSTILE },
  contractViolations: [`body.message: ${HOSTILE}`],
};

function sampleCase(status: Status, n: number, extra: Partial<CaseResult> = {}): CaseResult {
  return {
    id: `apikey.sample.${status.replaceAll('_', '-')}-${n}`,
    suite: 'apikey',
    title: `a ${status} case`,
    level: 'core',
    status,
    durationMs: 12.5,
    evidence: [],
    refs: ['aws-semantics.md#api-keys-rest-only'],
    ...extra,
  };
}

const scenario: ScenarioResult = {
  id: 'throttle-above-limit',
  title: 'constant rate above the plan throttle',
  executor: 'constant-arrival-rate',
  source: 'engine',
  startedAt: '2025-01-01T00:00:10.000Z',
  durationS: 3,
  totals: { requests: 300, byStatus: { '200': 250, '429': 50 }, errors: 0, dropped: 0 },
  timeseries: [0, 1, 2].map((t) => ({
    t,
    sent: 100,
    byStatus: { '200': 80 + t, '429': 20 - t },
    p50: 800 + t,
    p99: 2500,
  })),
  latency: {
    unit: 'us',
    corrected: true,
    histograms: { all: 'HISTFAAAAB' },
    percentiles: { p50: 810, p99: 2500 },
  },
  findings: {
    throttle: { rate: 50.04, burst: 100 },
    share429: 0.1667,
    rateLimitHeaders: ['x-ratelimit-limit'],
  },
  thresholds: [
    { expr: 'p(99)<200', metric: 'http_req_duration', ok: false, value: 2.5 },
    { expr: 'rate<0.5', ok: true },
  ],
};

/** A run with every case status, a failing scenario and hostile evidence on the failed case. */
export function sampleResults(): Results {
  const cases: CaseResult[] = [
    sampleCase('pass', 1),
    sampleCase('fail', 1, { message: `expected 403, got 200 ${HOSTILE}`, evidence: [hostileEvidence] }),
    sampleCase('optional_fail', 1, { level: 'extended', message: 'allowed but not optimal' }),
    sampleCase('skip', 1, {
      suite: 'jwt',
      id: 'jwt.sample.skip-1',
      message: 'feature jwt not claimed',
      feature: 'jwt',
    }),
    sampleCase('setup_fail', 1, {
      suite: 'quota',
      id: 'quota.sample.setup-fail-1',
      message: 'no tiny-quota key',
    }),
    sampleCase('harness_fail', 1, {
      suite: 'quota',
      id: 'quota.sample.harness-fail-1',
      message: 'probe unreachable',
    }),
  ];
  return {
    schema: 'gateproof/results@2',
    run: {
      id: 'run-sample',
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:00:20.000Z',
      tool: { name: 'gateproof', version: '0.1.0' },
      node: 'v20.18.1',
      command: 'gateproof run --suites apikey,quota --out reports/run-sample',
    },
    target: {
      name: 'reference',
      kind: 'reference',
      vendor: 'gateproof',
      version: '0.1.0',
      mode: 'in-process',
      baseUrl: 'http://127.0.0.1:1/prod',
      profile: 'aws',
      features: { declared: ['apikey', 'quota'], detected: ['apikey'] },
    },
    cases,
    scenarios: [scenario],
    summary: summarize(cases, [scenario]),
  };
}

/**
 * Every `<` in the markup opens a tag of `allowed` whose attributes are all double-quoted values
 * without `"`, `<` or `>`: nothing from the target opened a tag or left an attribute.
 */
export function tagsOutside(markup: string, allowed: readonly string[]): string[] {
  const wellFormed = /^<\/?([a-zA-Z?][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*\/?\??>/;
  const problems: string[] = [];
  for (const match of markup.matchAll(/</g)) {
    const rest = markup.slice(match.index, match.index + 400);
    if (rest.startsWith('<!doctype html>')) continue;
    const tag = wellFormed.exec(rest);
    if (!tag || !allowed.includes(tag[1]!.toLowerCase())) problems.push(rest.slice(0, 60));
  }
  return problems;
}
