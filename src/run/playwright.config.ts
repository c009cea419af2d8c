import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Project } from '@playwright/test';
import { ENV } from './run-env.js';

/**
 * The Playwright configuration `gateproof run` hands to the test runner: which suites, where
 * events go, one worker so cases that share a gateway's counters (throttle, quota plans) never
 * race each other. gateproof's own suites are one project; each spec file or folder a user named
 * is another, read where it lies.
 */
const suites = (process.env[ENV.suites] ?? '').split(',').filter(Boolean);
const specs = JSON.parse(process.env[ENV.specs] || '[]') as string[];
const outDir = process.env[ENV.outDir] ?? 'test-results';
const caseTimeoutMs = Number(process.env[ENV.caseTimeoutMs]) || 60_000;
const USER_SPEC = /\.spec\.[cm]?[jt]s$/;

function userProject(path: string, index: number): Project {
  if (statSync(path).isDirectory()) return { name: `user-${index}`, testDir: path, testMatch: USER_SPEC };
  const exact = new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return { name: `user-${index}`, testDir: dirname(path), testMatch: exact };
}

export default defineConfig({
  projects: [
    ...(suites.length || !specs.length
      ? [
          {
            name: 'gateproof',
            testDir: fileURLToPath(new URL('../../suites/', import.meta.url)),
            testMatch: suites.length ? suites.map((s) => `${s}.spec.js`) : '*.spec.js',
          },
        ]
      : []),
    ...specs.map(userProject),
  ],
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: caseTimeoutMs,
  outputDir: `${outDir}/test-artifacts`,
  reporter: [[fileURLToPath(new URL('./playwright-reporter.js', import.meta.url))]],
  use: { trace: 'off' },
});
