import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../usage-error.js';
import { removeEmptyDirs } from './remove-empty-dirs.js';
import { ENV } from './run-env.js';

const SUITES_DIR = fileURLToPath(new URL('../../suites/', import.meta.url));
const CONFIG = fileURLToPath(new URL('./playwright.config.js', import.meta.url));

/** The suites shipped with gateproof: one spec file per area. */
export function availableSuites(): string[] {
  return readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.spec.js'))
    .map((f) => f.replace(/\.spec\.js$/, ''))
    .sort();
}

export function selectSuites(requested: string[] | undefined): string[] {
  const known = availableSuites();
  if (!requested) return known;
  const unknown = requested.filter((s) => !known.includes(s));
  if (unknown.length)
    throw new UsageError(`unknown suite ${unknown.join(', ')}; known suites: ${known.join(', ')}`);
  return requested;
}

export interface SuiteRun {
  suites: string[];
  targetFile: string;
  eventsFile: string;
  outDir: string;
  signal: AbortSignal;
  /** Case lines only for cases that did not pass. */
  quiet?: boolean;
  /** Case lines to stderr, so stdout holds only the `--json` summary. */
  linesToStderr?: boolean;
}

/**
 * Runs the suites under Playwright's own runner in a child process: cases get Playwright's
 * fixtures, timeouts and browser handling, and the reporter streams each finished case into
 * events.ndjson. The child's exit code is not the verdict; the events are.
 */
export function runSuites(run: SuiteRun): Promise<void> {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const child = spawn(process.execPath, [cli, 'test', '--config', CONFIG], {
    stdio: ['ignore', run.linesToStderr ? process.stderr : 'inherit', 'inherit'],
    env: {
      ...process.env,
      [ENV.targetFile]: run.targetFile,
      [ENV.eventsFile]: run.eventsFile,
      [ENV.suites]: run.suites.join(','),
      [ENV.outDir]: run.outDir,
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
      removeEmptyDirs(join(run.outDir, 'test-artifacts'));
      resolve();
    });
  });
}
