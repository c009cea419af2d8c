import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Project } from '@playwright/test';
import { ENV, type ProjectTarget, type SuiteTarget } from './run-env.js';

/**
 * The Playwright configuration `gateproof run` hands to the test runner. Every target of the
 * session (one for `gateproof run`; several, each its own gateway, for the fault test) gets a
 * project per group of its built-in suites and one per spec file or folder a user named. Suites
 * that share a gateway's counters run one file at a time, so they never race each other; the
 * rest, and other targets' projects, run side by side. Within a file, cases run in order.
 */
const targets = JSON.parse(process.env[ENV.targets] || '[]') as SuiteTarget[];
const caseTimeoutMs = Number(process.env[ENV.caseTimeoutMs]) || 60_000;
const USER_SPEC = /\.spec\.[cm]?[jt]s$/;
const SUITES_DIR = fileURLToPath(new URL('../../suites/', import.meta.url));

function userProject(path: string): Pick<Project, 'testDir' | 'testMatch'> {
  if (statSync(path).isDirectory()) return { testDir: path, testMatch: USER_SPEC };
  return {
    testDir: dirname(path),
    testMatch: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
  };
}

function targetProjects(target: SuiteTarget): Project[] {
  const gateproof: ProjectTarget = { targetSocket: target.targetSocket, eventsFile: target.eventsFile };
  const common = { metadata: { gateproof }, outputDir: `${target.outDir}/test-artifacts` };
  const single = targets.length === 1 && target.groups.length + target.specs.length === 1;
  return [
    ...target.groups.map((group) => ({
      ...common,
      ...(group.oneAtATime ? { workers: 1 } : {}),
      name: single ? target.name : `${target.name}:${group.suites.join('+')}`,
      testDir: SUITES_DIR,
      testMatch: group.suites.map((s) => `${s}.spec.js`),
    })),
    // A user's files may share whatever they like: one at a time.
    ...target.specs.map((path, i) => ({
      ...common,
      workers: 1,
      name: `${target.name}:user-${i}`,
      ...userProject(path),
    })),
  ];
}

export default defineConfig({
  // Without a session (`--list`, or a user's own run against GATEPROOF_TARGET), every built-in suite.
  projects: targets.length
    ? targets.flatMap(targetProjects)
    : [{ name: 'gateproof', testDir: SUITES_DIR, testMatch: '*.spec.js' }],
  workers: Number(process.env[ENV.workers]) || 1,
  fullyParallel: false,
  retries: 0,
  timeout: caseTimeoutMs,
  reporter: [[fileURLToPath(new URL('./playwright-reporter.js', import.meta.url))]],
  use: { trace: 'off' },
});
