import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/usage-error.js';
import { classify, type RunOutcome, type Verdict } from './classify.js';
import { DECISION_FILES, type DecisionFile, groupKey } from './decision-files.js';
import { EQUIVALENTS } from './equivalents.js';
import { instrument } from './instrument.js';
import { describeMutant, type MutantInfo, mutantKey } from './mutant.js';
import { runSuites, stopRuns } from './run-suites.js';
import { sampleMutants } from './sample.js';

/**
 * `npm run mutation`: Stryker's mutants of the reference gateway's decision code, each run against
 * the suites that serve its file; prints the share killed and every survivor. Never part of
 * `npm test`: a sample of 150 takes most of an hour on two cores.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NOT_REACHED = 'not reached by any case';
const EQUIVALENT = 'equivalent (bench/mutation/equivalents.ts)';
const say = (line: string) => process.stderr.write(`mutation: ${line}\n`);

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--${name} takes a whole number ≥ 1, not "${value}"`);
  return Number(value);
}

function options() {
  const { values } = parseArgs({
    options: {
      sample: { type: 'string' },
      seed: { type: 'string' },
      parallel: { type: 'string' },
      all: { type: 'boolean' },
      files: { type: 'string' },
      ids: { type: 'string' },
      incremental: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const names = values.files?.split(',').filter(Boolean);
  const unknown = names?.filter((n) => !DECISION_FILES.some((f) => f.file === n)) ?? [];
  if (unknown.length)
    throw new UsageError(
      `unknown decision file ${unknown.join(', ')}; known: ${DECISION_FILES.map((f) => f.file).join(', ')}`,
    );
  return {
    sample: positiveInt('sample', values.sample, 150),
    seed: positiveInt('seed', values.seed, 1),
    parallel: positiveInt('parallel', values.parallel, 1),
    all: values.all ?? false,
    files: names ? DECISION_FILES.filter((f) => names.includes(f.file)) : DECISION_FILES,
    ids: values.ids?.split(',').filter(Boolean),
    earlier: values.incremental ? killedEarlier(values.incremental) : new Map<string, Verdict>(),
    out: resolve(
      values.out ?? join(ROOT, 'reports', `mutation-${new Date().toISOString().replace(/[:.]/g, '-')}`),
    ),
  };
}

/**
 * Like Stryker's incremental mode: mutants an earlier run's mutation.json killed (by key, every
 * one of that key) are taken as killed again; cases are only ever added, so only the survivors
 * and the mutants new to the sample run.
 */
function killedEarlier(file: string): Map<string, Verdict> {
  let earlier: { tested: { key: string; killed: boolean; by?: string; detail: string }[] };
  try {
    earlier = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--incremental ${file}: ${(err as Error).message}`);
  }
  const killed = new Map<string, Verdict>();
  const survived = new Set(earlier.tested.filter((t) => !t.killed).map((t) => t.key));
  for (const t of earlier.tested)
    if (t.killed && !survived.has(t.key))
      killed.set(t.key, { killed: true, by: t.by as 'cases', detail: `${t.detail} (earlier run)` });
  return killed;
}

interface Tested {
  mutant: MutantInfo;
  verdict: Verdict;
  ms: number;
}

async function main(): Promise<void> {
  const opts = options();
  const started = Date.now();
  const { mutants, faultMutants, mirror, cli } = await instrument(ROOT, opts.files);
  process.once('exit', () => rmSync(mirror, { recursive: true, force: true }));
  const chosen = opts.ids
    ? mutants.filter((m) => opts.ids?.includes(m.id))
    : opts.all
      ? mutants
      : sampleMutants(mutants, opts.sample, opts.seed);
  say(
    `${mutants.length} mutants (${faultMutants} of the fault machinery left out); testing ${chosen.length}, seed ${opts.seed}`,
  );
  mkdirSync(opts.out, { recursive: true });
  const fileOf = (m: MutantInfo) =>
    opts.files.find((f) => `src/reference/${f.file}` === m.file) as DecisionFile;

  const baselines = new Map<string, RunOutcome & { ms: number; reached: Set<string> }>();
  for (const file of opts.files) {
    const key = groupKey(file);
    if (baselines.has(key) || !chosen.some((m) => fileOf(m) === file)) continue;
    const coverageFile = join(opts.out, `reached-${baselines.size}.json`);
    const base = await runSuites(cli, file.suites, join(opts.out, `baseline-${baselines.size}`), 900_000, {
      coverageFile,
    });
    const failing = Object.entries(base.statuses ?? {}).filter(([, s]) => s !== 'pass' && s !== 'skip');
    if (base.exitCode !== 0 || failing.length)
      throw new Error(
        `the unmutated baseline (${key}) does not pass: exit ${base.exitCode} ${failing.map(([id, s]) => `${id} ${s}`).join(', ')}`,
      );
    const reached = new Set<string>(JSON.parse(readFileSync(coverageFile, 'utf8')) as string[]);
    say(`baseline ${key}: ${Math.round(base.ms / 1000)} s`);
    baselines.set(key, { ...base, reached });
  }

  // A mutant shown equivalent is not run again: no case can tell it from the original.
  const equivalents = new Map(EQUIVALENTS.map((e) => [e.key, e.reason]));
  const tested: Tested[] = [];
  // Written after every mutant, so a stopped run still feeds --incremental.
  const save = (complete: boolean) =>
    writeFileSync(
      join(opts.out, 'mutation.json'),
      `${JSON.stringify(
        {
          complete,
          seed: opts.seed,
          sample: chosen.length,
          total: mutants.length,
          faultMutants,
          minutes: (Date.now() - started) / 60_000,
          tested: tested.map((t) => ({ ...t.mutant, key: mutantKey(t.mutant), ...t.verdict, ms: t.ms })),
        },
        null,
        2,
      )}\n`,
    );
  let next = 0;
  const worker = async (slot: number) => {
    while (next < chosen.length) {
      const mutant = chosen[next++] as MutantInfo;
      const file = fileOf(mutant);
      const base = baselines.get(groupKey(file)) as RunOutcome & { ms: number; reached: Set<string> };
      const reason = equivalents.get(mutantKey(mutant));
      let verdict: Verdict =
        opts.earlier.get(mutantKey(mutant)) ??
        (reason ? { killed: false, detail: EQUIVALENT } : { killed: false, detail: NOT_REACHED });
      let ms = 0;
      if (!verdict.killed && !reason && base.reached.has(mutant.id)) {
        const run = await runSuites(
          cli,
          file.suites,
          join(opts.out, `run-${slot}`),
          base.ms * 3 + 60_000,
          mutant,
        );
        verdict = classify(base, run);
        ms = run.ms;
      }
      tested.push({ mutant, verdict, ms });
      save(false);
      const told = verdict.killed
        ? `killed (${verdict.by})`
        : verdict.detail === NOT_REACHED
          ? 'NOT REACHED'
          : reason
            ? 'equivalent'
            : 'SURVIVED';
      say(`[${tested.length}/${chosen.length}] ${told} ${describeMutant(mutant)}`);
    }
  };
  await Promise.all(Array.from({ length: opts.parallel }, (_, slot) => worker(slot)));

  const survivors = tested.filter((t) => !t.verdict.killed);
  const equivalent = survivors.filter((t) => equivalents.has(mutantKey(t.mutant)));
  const open = survivors.filter((t) => !equivalents.has(mutantKey(t.mutant)));
  const killed = tested.length - survivors.length;
  const nonEquivalent = tested.length - equivalent.length;
  const minutes = (Date.now() - started) / 60_000;
  const pct = (n: number, of: number) => (of ? ((100 * n) / of).toFixed(1) : '0.0');
  const lines = [
    `mutation score: ${killed}/${nonEquivalent} non-equivalent mutants killed (${pct(killed, nonEquivalent)} %)`,
    `  ${tested.length} tested of ${mutants.length} (seed ${opts.seed}${opts.all ? ', all' : ''}), ${equivalent.length} equivalent, ${Math.round(minutes)} min`,
    `survivors (${open.length}):`,
    ...open.map(
      (t) => `  ${describeMutant(t.mutant)}${t.verdict.detail === NOT_REACHED ? ` (${NOT_REACHED})` : ''}`,
    ),
    `equivalent survivors (${equivalent.length}):`,
    ...equivalent.map((t) => `  ${describeMutant(t.mutant)}: ${equivalents.get(mutantKey(t.mutant))}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  save(true);
  say(`details in ${join(opts.out, 'mutation.json')}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    stopRuns();
    process.exit(130);
  });
try {
  await main();
} catch (err) {
  process.stderr.write(`mutation: ${(err as Error).message}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
