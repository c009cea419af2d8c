import { z } from 'zod';

/**
 * The results model (`gateproof/results@2`). Every report is a pure function of one or more files
 * of this shape, so this schema is the contract between the runners and the writers. Its JSON
 * Schema (results.schema.json) is generated from it and shipped in the package. @2 added the
 * `incomplete` verdict, which a reader of @1 would not expect; @1 files are still read (see
 * upgradeResults).
 */

export const RESULTS_SCHEMA_ID = 'gateproof/results@2';
export const RESULTS_SCHEMA_V1 = 'gateproof/results@1';

/** pass: every claimed promise was seen kept. fail: one was seen broken. incomplete: neither, or not all of them were seen. */
export const VERDICTS = ['pass', 'fail', 'incomplete'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** A scenario adds `interrupted`: cut before its end, so none of its thresholds or checks is judged. */
export const SCENARIO_VERDICTS = [...VERDICTS, 'interrupted'] as const;
export type ScenarioVerdict = (typeof SCENARIO_VERDICTS)[number];

export const LEVELS = ['core', 'extended', 'check'] as const;
export type Level = (typeof LEVELS)[number];

export const STATUSES = ['pass', 'fail', 'optional_fail', 'skip', 'setup_fail', 'harness_fail'] as const;
export type Status = (typeof STATUSES)[number];

/** Set when `body` holds only the start of a longer body: the whole body's size and SHA-256 (hex). */
const bodyCut = z.object({
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  keptChars: z.number().int().nonnegative(),
});

const exchangeRequest = z.object({
  method: z.string(),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string().optional(),
  bodyCut: bodyCut.optional(),
});

const exchangeResponse = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  /** The body's first kilobytes only: a gateway's answer is never kept whole. */
  body: z.string().optional(),
  /** The body's full length in bytes and its SHA-256 (hex), as read (see contract/bounded-exchange.ts). */
  bodyBytes: z.number().int().nonnegative().optional(),
  bodySha256: z.string().optional(),
  bodyCut: bodyCut.optional(),
  durationMs: z.number().nonnegative(),
});

export const evidenceSchema = z.object({
  request: exchangeRequest.optional(),
  response: exchangeResponse.optional(),
  /** What the probe saw for this exchange: upstream reach proven at the origin. */
  origin: z.object({ reached: z.number().int(), note: z.string().optional() }).optional(),
  /** A transport failure (reset, timeout, garbage) instead of a response. */
  error: z.string().optional(),
  /** Places where the response broke the OpenAPI contract. */
  contractViolations: z.array(z.string()).optional(),
  /** Free-form observation (browser console line, retry count). */
  note: z.string().optional(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const caseSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'suite.group.name'),
  suite: z.string(),
  title: z.string(),
  level: z.enum(LEVELS),
  status: z.enum(STATUSES),
  durationMs: z.number().nonnegative(),
  message: z.string().optional(),
  feature: z.string().optional(),
  evidence: z.array(evidenceSchema),
  refs: z.array(z.string()),
});
export type CaseResult = z.infer<typeof caseSchema>;

const threshold = z.object({
  expr: z.string(),
  metric: z.string().optional(),
  /** null: not judged (the scenario was interrupted). */
  ok: z.boolean().nullable(),
  value: z.number().optional(),
});

/**
 * A finding judged against what the target declares, written like a threshold:
 * `throttle.burst: within(declared, 10%)`. `ok: null` when the run never showed what the check
 * needs (no refusal to fit the bucket, a stalled generator); `note` says why, or what failed.
 */
const check = z.object({
  metric: z.string(),
  expr: z.string(),
  ok: z.boolean().nullable(),
  value: z.number().optional(),
  /** What the value was held against: the declared value, or the bound `expected` stood for. */
  bound: z.number().optional(),
  note: z.string().optional(),
});
export type Check = z.infer<typeof check>;

export const scenarioSchema = z.object({
  id: z.string(),
  title: z.string().optional(),
  executor: z.enum([
    'constant-arrival-rate',
    'ramping-arrival-rate',
    'constant-vus',
    'ramping-vus',
    'per-vu-iterations',
    'shared-iterations',
  ]),
  source: z.enum(['engine', 'k6']).default('engine'),
  startedAt: z.string(),
  durationS: z.number().nonnegative(),
  totals: z.object({
    requests: z.number().int().nonnegative(),
    byStatus: z.record(z.string(), z.number().int().nonnegative()),
    errors: z.number().int().nonnegative(),
    dropped: z.number().int().nonnegative(),
  }),
  timeseries: z.array(
    z.object({
      t: z.number().nonnegative(),
      sent: z.number().int().nonnegative(),
      byStatus: z.record(z.string(), z.number().int().nonnegative()),
      p50: z.number().nonnegative(),
      p99: z.number().nonnegative(),
      /** Arrivals in this second that found no free slot, and transport errors. */
      dropped: z.number().int().nonnegative().optional(),
      errors: z.number().int().nonnegative().optional(),
      /** Responses in this second by the engine's classification (`hit`, `miss`): the hit ratio over time. */
      tags: z.record(z.string(), z.number().int().nonnegative()).optional(),
    }),
  ),
  /** The time series at `stepMs` (100 ms, coarser for long runs), one array per measure: what the report's charts draw. */
  fineSeries: z
    .object({
      stepMs: z.number().positive(),
      /** The last step's real length: a rate over it divides by this. */
      lastStepMs: z.number().positive(),
      sent: z.array(z.number().int().nonnegative()),
      byStatus: z.record(z.string(), z.array(z.number().int().nonnegative())),
      /** Microseconds, corrected as `all`. */
      p50: z.array(z.number().nonnegative()),
      p99: z.array(z.number().nonnegative()),
      dropped: z.array(z.number().int().nonnegative()),
      errors: z.array(z.number().int().nonnegative()),
      tags: z.record(z.string(), z.array(z.number().int().nonnegative())).optional(),
      /** Throttle runs: admitted requests by when they got their connection, the bucket's own time line. */
      admitted: z.array(z.number().int().nonnegative()).optional(),
    })
    .optional(),
  latency: z.object({
    unit: z.literal('us'),
    corrected: z.boolean(),
    /** HDR histograms, compressed base64, by name (`all`, `uncorrected`, `status:2xx`, `tag:hit`). */
    histograms: z.record(z.string(), z.string()),
    /** Percentiles read off `all`, for readers without an HDR decoder. */
    percentiles: z.record(z.string(), z.number()).optional(),
  }),
  findings: z.record(z.string(), z.unknown()),
  thresholds: z.array(threshold),
  /** Findings judged against the target's declared plan and cache (see src/load/finding-checks.ts). */
  checks: z.array(check).optional(),
  verdict: z.enum(SCENARIO_VERDICTS).optional(),
});
export type ScenarioResult = z.infer<typeof scenarioSchema>;

export const resultsSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA_ID),
  run: z.object({
    id: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
    tool: z.object({ name: z.string(), version: z.string() }),
    node: z.string(),
    /** The command line that reproduces this run. */
    command: z.string().optional(),
    /** Set when the run was stopped before it finished: what was measured is kept. */
    interrupted: z.boolean().optional(),
    fault: z.string().optional(),
  }),
  target: z.object({
    name: z.string(),
    kind: z.string(),
    vendor: z.string(),
    version: z.string(),
    mode: z.string(),
    baseUrl: z.string(),
    profile: z.enum(['aws', 'generic']),
    features: z.object({ declared: z.array(z.string()), detected: z.array(z.string()) }),
  }),
  cases: z.array(caseSchema),
  scenarios: z.array(scenarioSchema),
  summary: z.object({
    counts: z.record(z.enum(STATUSES), z.number().int().nonnegative()),
    verdict: z.enum(VERDICTS),
    /** Why the verdict is what it is, the deciding reasons first; empty on a pass. */
    reasons: z.array(z.string()),
    /** What was planned but never ran to its end; absent when everything ran. */
    notRun: z
      .object({ suites: z.array(z.string()), cases: z.array(z.string()), scenarios: z.array(z.string()) })
      .optional(),
  }),
});
export type Results = z.infer<typeof resultsSchema>;

/** When the event was written (ISO 8601): an interrupted run ends at its last event. */
const eventTime = z.string().optional();

/** One line of events.ndjson: streamed as things finish, folded into results.json. */
export const eventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run-start'),
    run: resultsSchema.shape.run,
    target: resultsSchema.shape.target,
    /** What the run means to run, so that what did not run can be listed. */
    plan: z.object({ suites: z.array(z.string()), scenarios: z.array(z.string()) }).optional(),
  }),
  /** The cases Playwright is about to run (at its onBegin), claimed or not. */
  z.object({
    type: z.literal('case-plan'),
    cases: z.array(z.object({ id: z.string(), suite: z.string(), level: z.enum(LEVELS) })),
  }),
  z.object({ type: z.literal('case'), case: caseSchema, at: eventTime }),
  /**
   * A scenario that did not run: `claimed: false` when the target does not claim its feature (a
   * skip), otherwise it should have run and its absence leaves the run incomplete.
   */
  z.object({
    type: z.literal('scenario-skip'),
    id: z.string(),
    reason: z.string(),
    claimed: z.boolean(),
    at: eventTime,
  }),
  z.object({ type: z.literal('scenario'), scenario: scenarioSchema, at: eventTime }),
  z.object({ type: z.literal('run-end'), finishedAt: z.string(), interrupted: z.boolean().optional() }),
]);
export type RunEvent = z.infer<typeof eventSchema>;
