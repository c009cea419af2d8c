import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test as base, chromium, expect, type TestInfo } from '@playwright/test';
import type { paths } from '../src/contract/generated/probe-api.js';
import { loadContract } from '../src/contract/load-contract.js';
import { ResponseValidator } from '../src/contract/response-validator.js';
import { TypedClient } from '../src/contract/typed-client.js';
import { ProbeClient } from '../src/probe/probe-client.js';
import type { Evidence } from '../src/results/model.js';
import { createRedactor, redactEvidence } from '../src/results/redact.js';
import { refLink } from '../src/results/ref-link.js';
import {
  CASE_ANNOTATION,
  CASE_FAILURE,
  type CaseMeta,
  EVIDENCE_ATTACHMENT,
  SetupFailure,
} from '../src/run/case-meta.js';
import { ENV, projectTarget } from '../src/run/run-env.js';
import type { Feature, Profile } from '../src/target/profile-schema.js';
import { readResolvedTarget } from '../src/target/resolved-target.js';
import { secretsOf } from '../src/target/secrets.js';
import { unsupportedReason } from '../src/target/unsupported.js';
import { BrowserHost, BrowserPages } from './browser-pages.js';

/**
 * The fixtures gateproof's suites are written with, and the extension point for users: import
 * `test`, `expect` and `gateCase` from here to write a gateway check in a few lines.
 */

export type ApiKeys = NonNullable<Profile['apiKeys']>;

export interface WorkerFixtures {
  /** The resolved target profile: where the gateway is and what it promises. */
  target: Profile;
  /** Hands out keys from a list that must be fresh for each case (a used quota key stays used). */
  freshKeys: { take(list: 'quota'): string };
  /** Chromium, launched on first use (a case that never opens a page costs nothing), and the page origins. */
  browserHost: BrowserHost;
}

export interface CaseFixtures {
  /** What was sent and received in this case, redacted; attached to the result. */
  evidence: Evidence[];
  /** Typed client for the probe API through the gateway; every exchange becomes evidence. */
  client: TypedClient<paths>;
  /** The target's API keys; reading one the profile lacks is a setup failure, not a gateway failure. */
  keys: ApiKeys;
  /** Counters at the origin. */
  probe: ProbeClient;
  /** A value unique to this case, sent as the probe's nonce so its counters are the case's own. */
  nonce: string;
  /** True under the `aws` profile: exact bodies and headers; `generic` checks status and safety only. */
  strict: boolean;
  /** Pages on gateproof's loopback origins, in a real browser; every fetch they make becomes evidence. */
  browserPage: BrowserPages;
}

const contract = loadContract();
const validator = new ResponseValidator(contract);

export const test = base.extend<CaseFixtures, WorkerFixtures>({
  target: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads fixture needs from the pattern.
    async ({}, use, workerInfo) => {
      await use(await readResolvedTarget(projectTarget(workerInfo.project)?.targetSocket, process.env, ENV));
    },
    { scope: 'worker' },
  ],
  freshKeys: [
    async ({ target }, use, workerInfo) => {
      // Claims live on disk, not in the worker: Playwright restarts a worker after a failed case,
      // and a restarted worker (or another project's on the same target) must not hand out a key
      // an earlier case already used up.
      const claims = claimDir(projectTarget(workerInfo.project)?.targetSocket);
      await use({
        take(list) {
          const keys = target.apiKeys?.[list] ?? [];
          for (const [index, key] of keys.entries()) {
            try {
              closeSync(openSync(join(claims, `${list}-${index}`), 'wx'));
              return key;
            } catch {}
          }
          throw new SetupFailure(`the profile has too few fresh apiKeys.${list} (${keys.length})`);
        },
      });
    },
    { scope: 'worker' },
  ],
  browserHost: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads fixture needs from the pattern.
    async ({}, use) => {
      const host = new BrowserHost((executablePath, args) => chromium.launch({ executablePath, args }));
      await use(host);
      await host.close();
    },
    { scope: 'worker' },
  ],
  browserPage: async ({ browserHost, evidence, target }, use) => {
    const pages = new BrowserPages(browserHost, (e) => evidence.push(e), target.timeoutMs);
    await use(pages);
    await pages.close();
  },
  evidence: async ({ target }, use, testInfo) => {
    const evidence: Evidence[] = [];
    await use(evidence);
    const redactor = createRedactor(secretsOf(target));
    await testInfo.attach(EVIDENCE_ATTACHMENT, {
      body: JSON.stringify(evidence.map((e) => redactEvidence(e, redactor))),
      contentType: 'application/json',
    });
  },
  client: async ({ target, evidence }, use) => {
    await use(
      new TypedClient<paths>({
        baseUrl: target.baseUrl,
        stage: target.stage,
        // Role `cachedShort` plays contract path `/cached-short`.
        routes: Object.fromEntries(
          Object.entries(target.routes).map(([role, path]) => [
            `/${role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
            path,
          ]),
        ),
        timeoutMs: target.timeoutMs,
        validator,
        record: (e) => evidence.push(e),
      }),
    );
  },
  keys: async ({ target }, use) => {
    await use(requireAll(target.apiKeys, 'apiKeys'));
  },
  probe: async ({ target }, use) => {
    if (!target.probe) {
      await use(
        new Proxy({} as ProbeClient, {
          get() {
            throw new SetupFailure('the profile has no probe.url: upstream reach cannot be proven');
          },
        }),
      );
      return;
    }
    await use(new ProbeClient(target.probe.url, target.timeoutMs, target.probe.secret));
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads fixture needs from the pattern.
  nonce: async ({}, use, testInfo) => {
    await use(`${testInfo.testId.slice(0, 8)}-${randomBytes(6).toString('hex')}`);
  },
  strict: async ({ target }, use) => {
    await use(target.profile === 'aws');
  },
});

export { expect };

export type CaseInput = Omit<CaseMeta, 'features' | 'refs'> & { features?: Feature[]; refs?: string[] };
export type CaseBody = (fixtures: CaseFixtures & WorkerFixtures, testInfo: TestInfo) => Promise<void>;

/**
 * Declares a conformance case: its id, level, features and refs travel with it to the report,
 * and it is skipped (and reported so) when the target does not claim its features.
 */
export function gateCase(meta: CaseInput, body: CaseBody): void {
  const full: CaseMeta = { ...meta, features: meta.features ?? [], refs: (meta.refs ?? []).map(refLink) };
  test(
    meta.title,
    { annotation: { type: CASE_ANNOTATION, description: JSON.stringify(full) } },
    async (
      { target, freshKeys, browserHost, evidence, client, keys, probe, nonce, strict, browserPage },
      testInfo,
    ) => {
      const missing = full.features.filter((f) => !target.features.includes(f));
      test.skip(missing.length > 0, `feature not claimed by the target: ${missing.join(', ')}`);
      const unsupported = unsupportedReason(target.unsupported, full.id);
      test.skip(unsupported !== undefined, unsupported);
      try {
        await body(
          { target, freshKeys, browserHost, evidence, client, keys, probe, nonce, strict, browserPage },
          testInfo,
        );
      } catch (err) {
        // Under `gateproof run` a failure is recorded rather than thrown: Playwright restarts the
        // worker (and relaunches the browser) after every thrown failure, which made a run under a
        // fault many times slower than a clean one. Outside gateproof, failures throw as usual.
        if (testInfo.expectedStatus === 'skipped' || !projectTarget(testInfo.project)) throw err;
        // Redacted here, where the profile's secrets are known: the message goes to the console too.
        const message = (err as Error).message ?? String(err);
        testInfo.annotations.push({
          type: CASE_FAILURE,
          description: createRedactor(secretsOf(target))(message),
        });
      }
    },
  );
}

/** One directory per target: the run's private directory, or one per Playwright runner process. */
function claimDir(targetSocket: string | undefined): string {
  const dir = targetSocket
    ? join(dirname(targetSocket), 'claims')
    : join(tmpdir(), `gateproof-claims-${process.ppid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Reading a key the profile lacks is a setup failure of that one case. */
function requireAll<T extends object>(value: T | undefined, name: string): T {
  return new Proxy((value ?? {}) as T, {
    get(obj, prop) {
      const v = (obj as Record<PropertyKey, unknown>)[prop];
      if (v === undefined && typeof prop === 'string' && prop !== 'then') {
        throw new SetupFailure(`the profile has no ${name}.${prop}`);
      }
      return v;
    },
  });
}
