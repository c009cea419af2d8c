import { basename } from 'node:path';
import { scenarioVerdict } from '../results/collect.js';
import { findingRows } from '../results/findings.js';
import {
  type CaseResult,
  type Level,
  type Results,
  type ScenarioVerdict,
  STATUSES,
  type Status,
} from '../results/model.js';
import {
  type BaselineDiff,
  baselineDiff,
  DEFAULT_LIMITS,
  type RegressionLimits,
} from './compare-baseline.js';
import { scenarioFigures } from './compare-figures.js';

/**
 * The vendor comparison (`compare.json`, schema `gateproof/compare@1`): a pure function of
 * several runs' results. Columns are runs, rows are cases (the union over runs, grouped by
 * suite) and scenario figures; a run that lacks a case shows `absent` there.
 */

export const COMPARE_SCHEMA_ID = 'gateproof/compare@1';

export type CellStatus = Status | 'absent';

export interface CompareInput {
  /** Where the run was read from, as given on the command line. */
  source: string;
  results: Results;
}

export interface SuiteTally {
  total: number;
  counts: Record<Status, number>;
}

export interface CompareColumn {
  /** The column's name: `--label`, else the target's name, told apart when two runs share it. */
  label: string;
  source: string;
  target: Results['target'];
  run: Pick<
    Results['run'],
    'id' | 'startedAt' | 'finishedAt' | 'tool' | 'node' | 'command' | 'fault' | 'interrupted'
  >;
  verdict: Results['summary']['verdict'];
  counts: Results['summary']['counts'];
  /** Per suite, how many cases ran and how they ended. */
  suites: Record<string, SuiteTally>;
}

export interface CompareCaseRow {
  id: string;
  title: string;
  level: Level;
  cells: Array<{ status: CellStatus; message?: string }>;
}

export interface CompareSuite {
  name: string;
  cases: CompareCaseRow[];
}

export interface CompareFigure {
  name: string;
  label: string;
  /** How to read the number: microseconds, milliseconds, a share of 1, requests per second, a count. */
  unit: 'us' | 'ms' | 'ratio' | 'rps' | 'count';
  values: Array<number | null>;
}

export interface CompareScenario {
  id: string;
  title?: string;
  /** Whether each run has this scenario and how it ended. */
  verdicts: Array<ScenarioVerdict | 'absent'>;
  /** The headline figures: declared vs inferred throttle, 429 share, latency, cache. */
  figures: CompareFigure[];
  /** Every finding, flattened, side by side. */
  findings: Array<{ name: string; values: Array<string | null> }>;
}

export interface Comparison {
  schema: typeof COMPARE_SCHEMA_ID;
  /** Said in every output: runs whose figures are not like for like (length, executor, scenarios). */
  warnings: string[];
  /** With `--baseline`: every other run against the first, and whether any regressed. */
  baseline?: BaselineDiff;
  columns: CompareColumn[];
  suites: CompareSuite[];
  scenarios: CompareScenario[];
}

function tally(cases: readonly CaseResult[]): Record<string, SuiteTally> {
  const out: Record<string, SuiteTally> = {};
  for (const c of cases) {
    out[c.suite] ??= {
      total: 0,
      counts: Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>,
    };
    out[c.suite]!.total += 1;
    out[c.suite]!.counts[c.status] += 1;
  }
  return out;
}

function column({ source, results }: CompareInput, label: string): CompareColumn {
  const { run } = results;
  return {
    label,
    source,
    target: results.target,
    run: {
      id: run.id,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      tool: run.tool,
      node: run.node,
      ...(run.command !== undefined ? { command: run.command } : {}),
      ...(run.fault !== undefined ? { fault: run.fault } : {}),
      ...(run.interrupted !== undefined ? { interrupted: run.interrupted } : {}),
    },
    verdict: results.summary.verdict,
    counts: results.summary.counts,
    suites: tally(results.cases),
  };
}

/** Keys in order of first appearance over the runs, each with the first run's value for it. */
function union<T>(lists: ReadonlyArray<readonly T[]>, key: (item: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  for (const list of lists) for (const item of list) if (!out.has(key(item))) out.set(key(item), item);
  return out;
}

function suites(runs: readonly CompareInput[]): CompareSuite[] {
  const byId = runs.map(({ results }) => new Map(results.cases.map((c) => [c.id, c])));
  const bySuite = new Map<string, CompareCaseRow[]>();
  for (const first of union(
    runs.map((r) => r.results.cases),
    (c) => c.id,
  ).values()) {
    const row: CompareCaseRow = {
      id: first.id,
      title: first.title,
      level: first.level,
      cells: byId.map((cases) => {
        const c = cases.get(first.id);
        if (!c) return { status: 'absent' };
        return c.message ? { status: c.status, message: c.message } : { status: c.status };
      }),
    };
    const list = bySuite.get(first.suite);
    if (list) list.push(row);
    else bySuite.set(first.suite, [row]);
  }
  return [...bySuite].map(([name, cases]) => ({ name, cases }));
}

function scenarios(runs: readonly CompareInput[]): CompareScenario[] {
  const all = union(
    runs.map((r) => r.results.scenarios),
    (s) => s.id,
  );
  return [...all.values()].map((first) => {
    const each = runs.map(({ results }) => results.scenarios.find((s) => s.id === first.id));
    const rows = each.map((s) => new Map(s ? findingRows(s.findings) : []));
    const names = [...new Set(rows.flatMap((r) => [...r.keys()]))];
    return {
      id: first.id,
      ...(first.title ? { title: first.title } : {}),
      verdicts: each.map((s) => (s ? scenarioVerdict(s) : 'absent')),
      figures: scenarioFigures(each),
      findings: names.map((name) => ({ name, values: rows.map((r) => r.get(name) ?? null) })),
    };
  });
}

/** Labels as given, else target names; two runs of one target are told apart by their directory, then by number. */
export function columnLabels(runs: readonly CompareInput[], given: readonly string[] = []): string[] {
  const names = runs.map((r, i) => given[i] ?? r.results.target.name);
  const repeated = (list: string[], name: string) => list.filter((n) => n === name).length > 1;
  const byDir = names.map((name, i) =>
    given[i] === undefined && repeated(names, name)
      ? `${name} (${basename(runs[i]!.source) || runs[i]!.source})`
      : name,
  );
  return byDir.map((name, i) => (repeated(byDir, name) ? `${name} #${i + 1}` : name));
}

/** A scenario is like for like only if every run offered it the same way for about as long. */
function likeForLike(runs: readonly CompareInput[], labels: readonly string[]): string[] {
  const warnings: string[] = [];
  const ids = [...new Set(runs.flatMap((r) => r.results.scenarios.map((s) => s.id)))];
  for (const id of ids) {
    const each = runs.map((r) => r.results.scenarios.find((s) => s.id === id));
    const present = each.flatMap((s, i) => (s ? [{ s, label: labels[i] as string }] : []));
    if (present.length < runs.length) {
      warnings.push(
        `${id} ran only in ${present.map((p) => p.label).join(', ')}: the other runs have no figures for it`,
      );
    }
    if (present.length < 2) continue;
    const durations = present.map((p) => p.s.durationS);
    if (Math.max(...durations) > 1.25 * Math.min(...durations)) {
      warnings.push(
        `${id} ran for different lengths (${present.map((p) => `${p.label} ${p.s.durationS} s`).join(', ')}): its figures are not like for like`,
      );
    }
    const executors = new Set(present.map((p) => p.s.executor));
    if (executors.size > 1) {
      warnings.push(
        `${id} ran with different executors (${present.map((p) => `${p.label} ${p.s.executor}`).join(', ')})`,
      );
    }
  }
  return warnings;
}

export interface CompareOptions {
  /** Column names, in the order of the runs. */
  labels?: readonly string[];
  /** Judge every other run against the first. */
  baseline?: boolean;
  limits?: RegressionLimits;
}

export function buildComparison(runs: readonly CompareInput[], options: CompareOptions = {}): Comparison {
  const labels = columnLabels(runs, options.labels);
  return {
    schema: COMPARE_SCHEMA_ID,
    warnings: likeForLike(runs, labels),
    ...(options.baseline && {
      baseline: baselineDiff(
        runs.map((r) => r.results),
        labels,
        options.limits ?? DEFAULT_LIMITS,
      ),
    }),
    columns: runs.map((r, i) => column(r, labels[i] as string)),
    suites: suites(runs),
    scenarios: scenarios(runs),
  };
}
