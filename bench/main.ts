import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arrivalAccuracy, memoryGrowth } from './accuracy.js';
import { startNginx200 } from './nginx-return-200.js';
import { throttleErrors } from './throttle-error.js';
import { autocannonPeak, enginePeak, type PeakOptions, wrkPeak } from './tools.js';

/**
 * `npm run bench`: the engine against autocannon and wrk, and against itself, on one machine in
 * one run, so the figures compare. One JSON line per figure on stdout; progress on stderr.
 */
const CONNECTIONS = 50;
const PEAK_SECONDS = 5;
const ROUNDS = 2;
const RATES = [1_000, 10_000, 20_000];
const ACCURACY_SECONDS = 5;
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
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const TOOLS = { engine: enginePeak, autocannon: autocannonPeak, wrk: wrkPeak } as const;
type Tool = keyof typeof TOOLS;

async function peakRates(url: string, scratch: string): Promise<void> {
  for (const pipelining of [1, 10]) {
    const options: PeakOptions = {
      url,
      connections: CONNECTIONS,
      pipelining,
      seconds: PEAK_SECONDS,
      scratch,
    };
    const rates: Record<Tool, number[]> = { engine: [], autocannon: [], wrk: [] };
    // Interleaved, each round in another order, so a drift of the machine hits every tool alike.
    const names = Object.keys(TOOLS) as Tool[];
    for (let round = 0; round < ROUNDS; round++) {
      for (const tool of names.map((_, i) => names[(i + round) % names.length] as Tool)) {
        say(`peak ${tool} pipelining ${pipelining} round ${round + 1}`);
        rates[tool].push(await TOOLS[tool](options));
      }
    }
    for (const tool of names) {
      emit({
        figure: 'peak-rate',
        tool,
        connections: CONNECTIONS,
        pipelining,
        rps: round(median(rates[tool])),
        runs: rates[tool].map((r) => round(r)),
      });
    }
    for (const other of ['autocannon', 'wrk'] as const) {
      emit({
        figure: 'peak-ratio',
        of: `engine/${other}`,
        pipelining,
        ratio: round(median(rates.engine) / median(rates[other]), 3),
      });
    }
  }
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'gateproof-bench-'));
  const nginx = await startNginx200();
  try {
    await peakRates(nginx.url, scratch);
    for (const rate of RATES) {
      say(`arrival accuracy at ${rate}/s`);
      emit({ figure: 'arrival-accuracy', ...(await arrivalAccuracy(nginx.url, rate, ACCURACY_SECONDS)) });
    }
    say(`memory over ${MEMORY_SECONDS} s at ${MEMORY_RATE}/s`);
    const memory = await memoryGrowth(nginx.url, MEMORY_RATE, MEMORY_SECONDS);
    emit({
      figure: 'rss',
      rate: MEMORY_RATE,
      at10sMb: memory.at10sMb,
      [`at${MEMORY_SECONDS}sMb`]: memory.atEndMb,
      growthMb: round(memory.atEndMb - memory.at10sMb, 1),
    });
  } finally {
    await nginx.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  for (const declared of THROTTLES) {
    say(`throttle inference at ${declared.rateLimit}/s burst ${declared.burstLimit}`);
    for (const error of await throttleErrors(declared)) emit({ figure: 'throttle-inference', ...error });
  }
}

await main();
