import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Accuracy, arrivalAccuracy, memoryGrowth } from './accuracy.js';
import { LoadWatch, type Row, spreadOf, summaryTable } from './figures.js';
import { startNginx200 } from './nginx-return-200.js';
import { throttleErrors } from './throttle-error.js';
import { autocannonPeak, enginePeak, type PeakOptions, wrkPeak } from './tools.js';

/**
 * `npm run bench`: the engine against autocannon and wrk, and against itself, on one machine in
 * one run, so the figures compare. Every figure is taken in several rounds, interleaved (each
 * round runs every tool and rate once, in a rotated order), so a drift of the machine hits every
 * tool alike; ratios are taken within a round. One JSON line per figure on stdout, progress and
 * the summary table (median, min – max, goal, noise) on stderr. About 6 minutes on 2 cores.
 */
const CONNECTIONS = 50;
const PEAK_SECONDS = 3;
const ROUNDS = 5;
const PIPELINING = [1, 10];
const RATES = [1_000, 10_000, 20_000];
const ACCURACY_SECONDS = 4;
const MEMORY_RATE = 5_000;
const MEMORY_SECONDS = 60;
const THROTTLES = [
  { rateLimit: 100, burstLimit: 50 },
  { rateLimit: 200, burstLimit: 100 },
  { rateLimit: 500, burstLimit: 200 },
];

const emit = (figure: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(figure)}\n`);
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
const round = (n: number, digits = 0) => Number(n.toFixed(digits));

const TOOLS = { engine: enginePeak, autocannon: autocannonPeak, wrk: wrkPeak } as const;
type Tool = keyof typeof TOOLS;
const NAMES = Object.keys(TOOLS) as Tool[];

/** Everything a round measured, by figure name; the load average at the end of each measurement beside it. */
class Rounds {
  readonly values = new Map<string, number[]>();
  readonly loads = new Map<string, number[]>();

  constructor(private readonly watch: LoadWatch) {}

  add(name: string, value: number): void {
    this.values.set(name, [...(this.values.get(name) ?? []), value]);
    this.loads.set(name, [...(this.loads.get(name) ?? []), this.watch.sample()]);
  }

  row(
    name: string,
    figure: string,
    digits: number,
    goal?: (median: number) => { text: string; met: boolean },
  ): Row {
    const spread = spreadOf(this.values.get(name) ?? []);
    const noise = this.watch.noise(spread, this.loads.get(name) ?? []);
    return { figure, spread, digits, ...(goal && { goal: goal(spread.median) }), ...(noise && { noise }) };
  }
}

const rotated = <T>(items: readonly T[], by: number): T[] =>
  items.map((_, i) => items[(i + by) % items.length] as T);

async function oneRound(r: number, url: string, scratch: string, rounds: Rounds): Promise<void> {
  for (const pipelining of PIPELINING) {
    const options: PeakOptions = {
      url,
      connections: CONNECTIONS,
      pipelining,
      seconds: PEAK_SECONDS,
      scratch,
    };
    const rates: Partial<Record<Tool, number>> = {};
    for (const tool of rotated(NAMES, r)) {
      say(`round ${r + 1}/${ROUNDS}: peak ${tool}, pipelining ${pipelining}`);
      rates[tool] = await TOOLS[tool](options);
      rounds.add(`peak ${tool} p${pipelining}`, rates[tool]);
    }
    for (const other of ['wrk', 'autocannon'] as const) {
      rounds.add(`engine/${other} p${pipelining}`, (rates.engine as number) / (rates[other] as number));
    }
  }
  for (const rate of rotated(RATES, r)) {
    say(`round ${r + 1}/${ROUNDS}: arrival accuracy at ${rate}/s`);
    const a: Accuracy = await arrivalAccuracy(url, rate, ACCURACY_SECONDS);
    rounds.add(`achieved ${rate}`, a.achievedOverIntended);
    rounds.add(`lag p99 ${rate}`, a.lagP99Us / 1000);
    rounds.add(`lag p50 ${rate}`, a.lagP50Us / 1000);
    rounds.add(`dropped ${rate}`, a.dropped);
  }
}

function summaryRows(rounds: Rounds): Row[] {
  const atLeast = (bound: number) => (m: number) => ({ text: `≥ ${bound}`, met: m >= bound });
  const below = (bound: number, unit: string) => (m: number) => ({
    text: `< ${bound} ${unit}`,
    met: m < bound,
  });
  const rows: Row[] = [];
  for (const p of PIPELINING) {
    for (const tool of NAMES)
      rows.push(rounds.row(`peak ${tool} p${p}`, `peak req/s, ${tool}, pipelining ${p}`, 0));
    rows.push(
      rounds.row(`engine/wrk p${p}`, `engine/wrk, pipelining ${p}`, 3, p === 1 ? atLeast(0.8) : undefined),
    );
    rows.push(
      rounds.row(
        `engine/autocannon p${p}`,
        `engine/autocannon, pipelining ${p}`,
        3,
        p === 1 ? atLeast(1.5) : undefined,
      ),
    );
  }
  for (const rate of RATES) {
    const at = `at ${rate.toLocaleString('en-US')}/s`;
    rows.push(rounds.row(`achieved ${rate}`, `achieved/intended ${at}`, 4, atLeast(0.99)));
    rows.push(rounds.row(`dropped ${rate}`, `dropped arrivals ${at}`, 0));
    rows.push(rounds.row(`lag p50 ${rate}`, `start lag p50 ms ${at}`, 3));
    rows.push(
      rounds.row(`lag p99 ${rate}`, `start lag p99 ms ${at}`, 3, rate >= 10_000 ? below(1, 'ms') : undefined),
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const started = Date.now();
  const watch = new LoadWatch();
  say(`load average before: ${watch.before.toFixed(2)}`);
  const scratch = mkdtempSync(join(tmpdir(), 'gateproof-bench-'));
  const nginx = await startNginx200();
  const rounds = new Rounds(watch);
  let memory: { at10sMb: number; atEndMb: number };
  try {
    for (let r = 0; r < ROUNDS; r++) await oneRound(r, nginx.url, scratch, rounds);
    say(`memory over ${MEMORY_SECONDS} s at ${MEMORY_RATE}/s`);
    memory = await memoryGrowth(nginx.url, MEMORY_RATE, MEMORY_SECONDS);
  } finally {
    await nginx.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const rows = summaryRows(rounds);
  for (const row of rows) {
    emit({
      figure: row.figure,
      median: round(row.spread.median, row.digits),
      min: round(row.spread.min, row.digits),
      max: round(row.spread.max, row.digits),
      runs: row.spread.runs.map((v) => round(v, row.digits)),
      ...(row.goal && { goal: row.goal.text, met: row.goal.met }),
      ...(row.noise && { noise: row.noise }),
    });
  }
  emit({
    figure: 'rss',
    rate: MEMORY_RATE,
    at10sMb: memory.at10sMb,
    [`at${MEMORY_SECONDS}sMb`]: memory.atEndMb,
    growthMb: round(memory.atEndMb - memory.at10sMb, 1),
  });
  for (const declared of THROTTLES) {
    say(`throttle inference at ${declared.rateLimit}/s burst ${declared.burstLimit}`);
    for (const error of await throttleErrors(declared)) emit({ figure: 'throttle-inference', ...error });
  }
  watch.sample();
  say(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  process.stderr.write(`\n${summaryTable(rows, ROUNDS, watch)}\n`);
}

await main();
