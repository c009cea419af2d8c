import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { ENV } from './run-env.js';

/**
 * The Playwright configuration `gateproof run` hands to the test runner: which suites, where
 * events go, one worker so cases that share a gateway's counters (throttle, quota plans) never
 * race each other.
 */
const suites = (process.env[ENV.suites] ?? '').split(',').filter(Boolean);
const outDir = process.env[ENV.outDir] ?? 'test-results';
const caseTimeoutMs = Number(process.env[ENV.caseTimeoutMs]) || 60_000;

export default defineConfig({
  testDir: fileURLToPath(new URL('../../suites/', import.meta.url)),
  testMatch: suites.length ? suites.map((s) => `${s}.spec.js`) : '*.spec.js',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: caseTimeoutMs,
  outputDir: `${outDir}/test-artifacts`,
  reporter: [[fileURLToPath(new URL('./playwright-reporter.js', import.meta.url))]],
  use: { trace: 'off' },
});
