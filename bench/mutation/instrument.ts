import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import ts from 'typescript';
import type { DecisionFile } from './decision-files.js';
import { faultOnlySpans, insideAny, offsetsOf } from './fault-spans.js';
import { type MutantInfo, mutantKey } from './mutant.js';

const quiet = () => undefined;
const logger = {
  isTraceEnabled: () => false,
  isDebugEnabled: () => false,
  isInfoEnabled: () => false,
  isWarnEnabled: () => true,
  isErrorEnabled: () => true,
  isFatalEnabled: () => true,
  trace: quiet,
  debug: quiet,
  info: quiet,
  warn: (message: string) => process.stderr.write(`stryker: ${message}\n`),
  error: (message: string) => process.stderr.write(`stryker: ${message}\n`),
  fatal: (message: string) => process.stderr.write(`stryker: ${message}\n`),
};

/** Environment variable naming the file where the gateway's thread writes the mutants it reached. */
export const COVERAGE_ENV = 'GATEPROOF_MUTATION_COVERAGE';

/**
 * Appended to the mirror's stack thread: on 'close', the ids of the mutants whose code ran
 * (Stryker's coverage counters), so a mutant no case reaches is reported without a run.
 */
const REPORT_COVERAGE = `
import { writeFileSync as writeMutantCoverage } from 'node:fs';
const coverageFile = process.env.${COVERAGE_ENV};
if (coverageFile)
  parentPort.on('message', () =>
    writeMutantCoverage(coverageFile, JSON.stringify(Object.keys(globalThis.__stryker__?.mutantCoverage?.static ?? {}))),
  );
`;

export interface Instrumented {
  /** Every mutant outside the fault machinery. */
  mutants: MutantInfo[];
  /** How many were left out as fault machinery. */
  faultMutants: number;
  /** A copy of the project's dist/ whose decision files carry every mutant behind a switch. */
  mirror: string;
  /** The mirror's CLI. */
  cli: string;
}

/** The source text a Stryker location spans (lines from 0, columns from 0), whitespace folded. */
function spanText(
  source: string[],
  loc: { start: { line: number; column: number }; end: { line: number; column: number } },
) {
  const lines = source.slice(loc.start.line, loc.end.line + 1);
  if (lines.length === 1) return (lines[0] as string).slice(loc.start.column, loc.end.column);
  lines[0] = (lines[0] as string).slice(loc.start.column);
  lines[lines.length - 1] = (lines.at(-1) as string).slice(0, loc.end.column);
  return lines.join('\n');
}

/**
 * Stryker's instrumenter places every mutant of the decision files in one copy of each file,
 * switched at run time by `__STRYKER_ACTIVE_MUTANT__` (read once per thread into
 * `globalThis.__stryker__.activeMutant`). The TypeScript is instrumented, so mutants are reported
 * on source lines, then transpiled into a mirror of dist/ whose other files are the real build.
 * The mirror (one per mutation run, under dist/) links the project's src/ and package.json, so the
 * build's relative paths (the contract, the results schema) and node_modules resolve as in dist/.
 */
export async function instrument(root: string, files: readonly DecisionFile[]): Promise<Instrumented> {
  const sources = files.map((f) => {
    const name = `src/reference/${f.file}`;
    return { name, content: readFileSync(join(root, name), 'utf8'), mutate: true };
  });
  const result = await new Instrumenter(logger).instrument(sources, {
    plugins: null,
    excludedMutations: [],
    ignorers: [],
  });
  const mirror = mkdtempSync(join(root, 'dist', 'mutation-mirror-'));
  mkdirSync(join(mirror, 'dist'));
  for (const dir of ['src', 'suites', 'scenarios'])
    cpSync(join(root, 'dist', dir), join(mirror, 'dist', dir), { recursive: true });
  for (const shared of ['src', 'package.json']) symlinkSync(join(root, shared), join(mirror, shared));
  for (const file of result.files) {
    const js = ts.transpileModule(file.content, {
      fileName: file.name,
      compilerOptions: { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ES2022 },
    }).outputText;
    writeFileSync(join(mirror, 'dist', file.name.replace(/\.ts$/, '.js')), js);
  }
  appendFileSync(join(mirror, 'dist', 'src', 'reference', 'stack-thread.js'), REPORT_COVERAGE);
  const lines = new Map(sources.map((s) => [s.name, s.content.split('\n')]));
  const text = new Map(sources.map((s) => [s.name, s.content]));
  const faultOnly = new Map(sources.map((s) => [s.name, faultOnlySpans(s.name, s.content)]));
  const mutants: MutantInfo[] = [];
  const seen = new Map<string, number>();
  for (const m of result.mutants) {
    const info: MutantInfo = {
      id: m.id,
      file: m.fileName,
      line: m.location.start.line + 1,
      mutator: m.mutatorName,
      original: spanText(lines.get(m.fileName) as string[], m.location),
      replacement: m.replacement,
    };
    const nth = seen.get(mutantKey(info)) ?? 0;
    seen.set(mutantKey(info), nth + 1);
    if (insideAny(offsetsOf(text.get(m.fileName) as string, m.location), faultOnly.get(m.fileName) ?? []))
      continue;
    mutants.push({ ...info, nth });
  }
  return {
    mutants,
    faultMutants: result.mutants.length - mutants.length,
    mirror,
    cli: join(mirror, 'dist', 'src', 'cli', 'main.js'),
  };
}
