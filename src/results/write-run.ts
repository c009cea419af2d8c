import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderIndexHtml } from '../report/html.js';
import { collectResults } from './collect.js';
import { cutEvidenceBodies } from './cut-bodies.js';
import { readEvents } from './events.js';
import { toJUnit } from './junit.js';
import { toMarkdown } from './markdown.js';
import { type Results, resultsSchema } from './model.js';
import { upgradeResults } from './upgrade.js';
import { validateResults } from './validate.js';

/** Written beside a temporary name and renamed, so a crash never leaves half a file behind. */
function writeAtomic(file: string, content: string): string {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
  return file;
}

/** The three reports, each a pure function of the results. Returns the files written. */
export function writeReports(dir: string, results: Results): string[] {
  mkdirSync(dir, { recursive: true });
  return [
    writeAtomic(join(dir, 'junit.xml'), toJUnit(results)),
    writeAtomic(join(dir, 'summary.md'), toMarkdown(results)),
    writeAtomic(join(dir, 'index.html'), renderIndexHtml(results)),
  ];
}

/** Writes results.json, validated against the shipped schema first, then the reports. Returns the files written. */
export function writeRunOutputs(dir: string, given: Results): string[] {
  const results = withBodiesCut(given);
  const json = `${resultsJson(results)}\n`;
  const problems = validateResults(JSON.parse(json));
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new Error(`refusing to write an invalid results.json: ${problems[0]}${more}`);
  }
  mkdirSync(dir, { recursive: true });
  return [writeAtomic(join(dir, 'results.json'), json), ...writeReports(dir, results)];
}

/**
 * Indented JSON with arrays of numbers (the fine series) on one line each: one number per line
 * would make them most of the file. A string never holds a raw newline, so only structure matches.
 */
export function resultsJson(results: Results): string {
  return JSON.stringify(results, null, 2).replace(
    /\[\n\s*((?:-?\d[\d.eE+-]*,\n\s*)*-?\d[\d.eE+-]*)\n\s*\]/g,
    (_, inner: string) => `[${inner.replace(/,\n\s*/g, ',')}]`,
  );
}

/** Results written by any path (a run, k6 ingest, an old events file) keep no oversized body. */
function withBodiesCut(results: Results): Results {
  return {
    ...results,
    cases: results.cases.map((c) => ({ ...c, evidence: c.evidence.map(cutEvidenceBodies) })),
  };
}

/** Reads and validates a results.json; a results@1 file is read as @2 (see upgradeResults). */
export function readResults(file: string): Results {
  let value: unknown;
  try {
    value = upgradeResults(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  const problems = validateResults(value);
  if (problems.length > 0) throw new Error(`${file}: ${problems[0]}`);
  return resultsSchema.parse(value);
}

/**
 * Rebuilds a run's reports (`gateproof report DIR`) from DIR/results.json, or, when the run died
 * before writing it, from DIR/events.ndjson (which also writes results.json). Returns the files written.
 */
export function rebuildReports(dir: string): string[] {
  const resultsFile = join(dir, 'results.json');
  if (existsSync(resultsFile)) return writeReports(dir, readResults(resultsFile));
  const eventsFile = join(dir, 'events.ndjson');
  if (existsSync(eventsFile)) return writeRunOutputs(dir, collectResults(readEvents(eventsFile)));
  throw new Error(`${dir} holds neither results.json nor events.ndjson`);
}
