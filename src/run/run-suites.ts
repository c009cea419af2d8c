import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../usage-error.js';
import { removeEmptyDirs } from './remove-empty-dirs.js';
import { ENV, type SuiteTarget } from './run-env.js';

const SUITES_DIR = fileURLToPath(new URL('../../suites/', import.meta.url));
const CONFIG = fileURLToPath(new URL('./playwright.config.js', import.meta.url));

/** The suites shipped with gateproof: one spec file per area. */
export function availableSuites(): string[] {
  return readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.spec.js'))
    .map((f) => f.replace(/\.spec\.js$/, ''))
    .sort();
}

/** A user's spec file: what Playwright itself runs (it compiles TypeScript). */
export const USER_SPEC = /\.spec\.[cm]?[jt]s$/;

/** What `--suites` named: gateproof's own suites by name, and a user's spec files and folders by path. */
export interface SuiteSelection {
  builtin: string[];
  /** Absolute paths of spec files and of folders holding them. */
  paths: string[];
}

export function selectSuites(requested: string[] | undefined, cwd = process.cwd()): SuiteSelection {
  const known = availableSuites();
  if (!requested) return { builtin: known, paths: [] };
  const builtin: string[] = [];
  const paths: string[] = [];
  const unknown: string[] = [];
  for (const item of requested) {
    if (known.includes(item)) builtin.push(item);
    else if (/[\\/]/.test(item) || USER_SPEC.test(item) || existsSync(resolve(cwd, item))) {
      paths.push(userSpecPath(resolve(cwd, item), item));
    } else unknown.push(item);
  }
  if (unknown.length) {
    throw new UsageError(
      `unknown suite ${unknown.join(', ')}; known suites: ${known.join(', ')} (or a path to a *.spec.ts file or a folder)`,
    );
  }
  return { builtin, paths };
}

/** The path itself, once it is known to be a spec file or a folder with one somewhere inside. */
function userSpecPath(path: string, given: string): string {
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`--suites ${given}: no such file or folder`);
  }
  if (stat.isFile()) {
    if (!USER_SPEC.test(path))
      throw new UsageError(`--suites ${given}: a spec file's name ends in .spec.ts or .spec.js`);
    return path;
  }
  const specs = readdirSync(path, { recursive: true, encoding: 'utf8' }).filter(
    (f) => USER_SPEC.test(f) && !f.split(/[\\/]/).includes('node_modules'),
  );
  if (!specs.length)
    throw new UsageError(`--suites ${given}: the folder holds no *.spec.ts or *.spec.js file`);
  return path;
}

export interface SuiteRun {
  /** Every target of the session, each with its suites (see run-env.ts). */
  targets: SuiteTarget[];
  /** Playwright workers: how many projects run side by side. */
  workers: number;
  /** Playwright's timeout of one case. */
  caseTimeoutMs: number;
  signal: AbortSignal;
  /** Case lines only for cases that did not pass. */
  quiet?: boolean;
  /** Case lines to stderr, so stdout holds only the `--json` summary; or none, for a harness that reads the events. */
  lines?: 'stdout' | 'stderr' | 'none';
}

const LINES = { stdout: 'inherit', stderr: process.stderr, none: 'ignore' } as const;

/**
 * Runs the suites under Playwright's own runner in a child process: cases get Playwright's
 * fixtures, timeouts and browser handling, and the reporter streams each finished case into its
 * target's events.ndjson. The child's exit code is not the verdict; the events are.
 */
export function runSuites(run: SuiteRun): Promise<void> {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const child = spawn(process.execPath, [cli, 'test', '--config', CONFIG], {
    stdio: ['ignore', LINES[run.lines ?? 'stdout'], 'inherit'],
    env: {
      ...process.env,
      [ENV.targets]: JSON.stringify(run.targets),
      [ENV.workers]: String(run.workers),
      [ENV.caseTimeoutMs]: String(run.caseTimeoutMs),
      [ENV.quiet]: run.quiet ? '1' : '0',
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
      FORCE_COLOR: process.stdout.isTTY ? '1' : '0',
    },
  });
  const stop = () => child.kill('SIGINT');
  run.signal.addEventListener('abort', stop, { once: true });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => {
      run.signal.removeEventListener('abort', stop);
      for (const target of run.targets) removeEmptyDirs(join(target.outDir, 'test-artifacts'));
      resolve();
    });
  });
}
