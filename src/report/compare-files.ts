import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readResults } from '../results/write-run.js';
import { UsageError } from '../usage-error.js';
import { renderCompareHtml } from './compare-html.js';
import { buildComparison, type CompareInput } from './compare-model.js';

/** A run directory's results.json, validated against the shipped schema; bad input is one line. */
export function readRun(dir: string): CompareInput {
  const file = join(dir, 'results.json');
  if (!existsSync(file)) throw new UsageError(`${dir}: no results.json (not a gateproof run directory?)`);
  try {
    return { source: dir, results: readResults(file) };
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
}

/** Reads the runs and writes compare.json and compare.html into `outDir`. Returns the files written. */
export function writeComparison(dirs: readonly string[], outDir: string): string[] {
  const runs = dirs.map(readRun);
  const comparison = buildComparison(runs);
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, 'compare.json');
  const page = join(outDir, 'compare.html');
  writeFileSync(json, `${JSON.stringify(comparison, null, 2)}\n`);
  writeFileSync(page, renderCompareHtml(runs, comparison));
  return [json, page];
}
