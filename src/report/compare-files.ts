import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readResults } from '../results/write-run.js';
import { UsageError } from '../usage-error.js';
import { renderCompareHtml } from './compare-html.js';
import { toCompareMarkdown } from './compare-markdown.js';
import { buildComparison, type CompareInput, type CompareOptions, type Comparison } from './compare-model.js';

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

/** Reads the runs and writes compare.json, compare.html and compare.md into `outDir`. */
export function writeComparison(
  dirs: readonly string[],
  outDir: string,
  options: CompareOptions = {},
): { comparison: Comparison; files: string[] } {
  if (options.labels && options.labels.length !== dirs.length) {
    throw new UsageError(
      `${options.labels.length} --label for ${dirs.length} runs: give one per run, or none`,
    );
  }
  const runs = dirs.map(readRun);
  const comparison = buildComparison(runs, options);
  mkdirSync(outDir, { recursive: true });
  const files = [join(outDir, 'compare.json'), join(outDir, 'compare.html'), join(outDir, 'compare.md')];
  writeFileSync(files[0]!, `${JSON.stringify(comparison, null, 2)}\n`);
  writeFileSync(files[1]!, renderCompareHtml(runs, comparison));
  writeFileSync(files[2]!, toCompareMarkdown(comparison));
  return { comparison, files };
}
