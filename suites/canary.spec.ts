import type { CaseFixtures, WorkerFixtures } from './fixtures.js';
import { expect, gateCase } from './fixtures.js';
import { expectPremise } from './premise.js';
import { type Arrival, freshValue, type ReleaseDriver, releasing } from './release-client.js';

/**
 * Canary releases on a stage: the share of requests the canary serves, its variable overrides
 * (on canary requests only), promotion and removal, `useStageCache`, and the control plane's
 * refusal of a share outside 0 to 100. Which channel served a request is proven at the probe: the
 * canary is a deployment of its own (its id reaches the probe with every request) whose
 * integration URI carries a marker, and its overrides change the URI's backend.
 */

const REF = 'aws-semantics.md#stages-deployments-and-canaries';
type Fixtures = CaseFixtures & WorkerFixtures;

interface Canary {
  id: string;
  /** The route a canary request reaches: the override backend and the canary's marker. */
  route: string;
  /** The route and deployment of a stage request. */
  stage: { route: string; deployment: string };
}

const canaryCase = (
  meta: { id: string; title: string; refs?: string[] },
  body: (r: ReleaseDriver, f: Fixtures) => Promise<void>,
) =>
  gateCase({ ...meta, level: 'core', features: ['stages', 'canary'], refs: meta.refs ?? [REF] }, (f) =>
    releasing(f, (r) => body(r, f)),
  );

/** A canary on the main stage: the draft marked, deployed as the canary with a backend override. */
async function startCanary(
  r: ReleaseDriver,
  f: Fixtures,
  percentTraffic: number,
  useStageCache = false,
): Promise<Canary> {
  const stage = await r.stage(r.main);
  const backend = freshValue(f, 'canary');
  const marker = await r.markIntegration(f.nonce.slice(-6));
  const id = await r.deploy(r.main, {
    percentTraffic,
    stageVariableOverrides: { backend },
    useStageCache,
  });
  return {
    id,
    route: `/release/${backend}/${marker}`,
    stage: { route: `/release/${stage.variables.backend}`, deployment: stage.deploymentId },
  };
}

function canaryCount(arrivals: Arrival[], canary: Canary): number {
  return arrivals.filter((a) => a.deployment === canary.id).reduce((n, a) => n + a.count, 0);
}

canaryCase({ id: 'canary.split.zero-percent', title: 'a canary at 0 % serves no request' }, async (r, f) => {
  const canary = await startCanary(r, f, 0);
  await r.invokeMany(r.main, 20);
  const arrivals = await r.arrivals();
  expect(canaryCount(arrivals, canary), 'requests served by the canary deployment').toBe(0);
  expect(
    arrivals.map((a) => a.deployment),
    'deployments that served',
  ).toEqual([canary.stage.deployment]);
});

canaryCase(
  { id: 'canary.split.hundred-percent', title: 'a canary at 100 % serves every request, with its overrides' },
  async (r, f) => {
    const canary = await startCanary(r, f, 100);
    await r.invokeMany(r.main, 20);
    expect(await r.arrivals(), 'what reached the probe').toEqual([
      { route: canary.route, deployment: canary.id, count: 20 },
    ]);
  },
);

canaryCase(
  {
    id: 'canary.split.share-as-declared',
    title:
      'a canary at 50 % serves a share of requests consistent with 50 % (60 requests, 4.6 standard deviations)',
  },
  async (r, f) => {
    const canary = await startCanary(r, f, 50);
    const total = 60;
    await r.invokeMany(r.main, total);
    const served = canaryCount(await r.arrivals(), canary);
    expect(served, 'requests the canary served, of 60').toBeGreaterThanOrEqual(12);
    expect(served, 'requests the canary served, of 60').toBeLessThanOrEqual(48);
  },
);

canaryCase(
  {
    id: 'canary.overrides.only-canary-requests',
    title: "the canary's stage-variable overrides reach canary requests only, never the stage's own",
  },
  async (r, f) => {
    // 25 %: both channels serve some of 40 requests, even at twice or a third of the share.
    const canary = await startCanary(r, f, 25);
    await r.invokeMany(r.main, 40);
    const arrivals = await r.arrivals();
    const stageArrivals = arrivals.filter((a) => a.deployment !== canary.id);
    expectPremise(
      stageArrivals.length > 0 && stageArrivals.length < arrivals.length,
      'both channels served some of 40 requests at 25 %',
      JSON.stringify(arrivals),
    );
    for (const arrival of arrivals) {
      const expected = arrival.deployment === canary.id ? canary.route : canary.stage.route;
      expect(arrival.route, `the route of a request served by ${arrival.deployment}`).toBe(expected);
    }
  },
);

/** API Gateway's promotion: the canary's deployment and overrides copied into the stage, the canary removed. */
const PROMOTE = [
  { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
  { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' },
  { op: 'remove', path: '/canarySettings' },
] as const;

canaryCase(
  {
    id: 'canary.promote.canary-becomes-stage',
    title: "after promotion every request is served by the canary's deployment with its variables",
  },
  async (r, f) => {
    const canary = await startCanary(r, f, 50);
    await r.patchStage(r.main, [...PROMOTE]);
    await r.invokeMany(r.main, 20);
    expect(await r.arrivals(), 'what reached the probe after promotion').toEqual([
      { route: canary.route, deployment: canary.id, count: 20 },
    ]);
  },
);

canaryCase(
  {
    id: 'canary.promote.split-removed',
    title: 'promotion removes the split: a stage variable changed afterwards reaches every request',
  },
  async (r, f) => {
    const canary = await startCanary(r, f, 50);
    await r.patchStage(r.main, [...PROMOTE]);
    const backend = freshValue(f, 'after');
    await r.patchStage(r.main, [{ op: 'replace', path: '/variables/backend', value: backend }]);
    await r.invokeMany(r.main, 20);
    expect(await r.arrivals(), 'what reached the probe').toEqual([
      { route: `/release/${backend}/${canary.route.split('/').at(-1)}`, deployment: canary.id, count: 20 },
    ]);
  },
);

canaryCase(
  {
    id: 'canary.remove.back-to-stage',
    title: "removing the canary sends every request back to the stage's deployment and variables",
  },
  async (r, f) => {
    const canary = await startCanary(r, f, 100);
    const premiseNonce = `${f.nonce}-canary`;
    await r.invokeMany(r.main, 1, premiseNonce);
    const first = await r.arrivals(premiseNonce);
    expectPremise(first[0]?.deployment === canary.id, 'the canary at 100 % serves', JSON.stringify(first));
    await r.patchStage(r.main, [{ op: 'remove', path: '/canarySettings' }]);
    await r.invokeMany(r.main, 20);
    expect(await r.arrivals(), 'what reached the probe after the removal').toEqual([
      { ...canary.stage, count: 20 },
    ]);
  },
);

canaryCase(
  {
    id: 'canary.cache.stage-cache-shared',
    title: "with useStageCache a canary request is answered from the stage's cache entry",
    refs: [REF, 'aws-semantics.md#caching-rest-stages'],
  },
  async (r, f) => {
    const canary = await startCanary(r, f, 0, true);
    await r.invokeMany(r.main, 1, f.nonce, '/release/cached');
    await r.patchStage(r.main, [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '100' }]);
    const premiseNonce = `${f.nonce}-canary`;
    await r.invokeMany(r.main, 1, premiseNonce);
    expectPremise(
      (await r.arrivals(premiseNonce))[0]?.deployment === canary.id,
      'the canary at 100 % serves',
      'the stage served',
    );
    await r.invokeMany(r.main, 2, f.nonce, '/release/cached');
    expect(await f.probe.reached(f.nonce), 'cached requests that reached the integration').toBe(1);
  },
);

canaryCase(
  {
    id: 'canary.cache.own-cache',
    title: "without useStageCache a canary request never gets, nor replaces, the stage's cache entry",
    refs: [REF, 'aws-semantics.md#caching-rest-stages'],
  },
  async (r, f) => {
    const canary = await startCanary(r, f, 0, false);
    await r.invokeMany(r.main, 1, f.nonce, '/release/cached');
    await r.patchStage(r.main, [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '100' }]);
    await r.invokeMany(r.main, 1, f.nonce, '/release/cached');
    expect(await f.probe.reached(f.nonce), 'the canary request reached the integration').toBe(2);
    expect(canaryCount(await r.arrivals(), canary), 'of them, served by the canary').toBe(1);
    await r.patchStage(r.main, [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '0' }]);
    await r.invokeMany(r.main, 1, f.nonce, '/release/cached');
    expect(await f.probe.reached(f.nonce), "the stage's next request is its own cached entry").toBe(2);
  },
);

const BAD_PERCENTS = [
  { name: 'over-100', value: '100.5' },
  { name: 'negative', value: '-1' },
  { name: 'not-a-number', value: 'ten' },
];

for (const { name, value } of BAD_PERCENTS) {
  canaryCase(
    {
      id: `canary.patch.percent-refused.${name}`,
      title: `a percentTraffic of ${value} is refused with 400, and the canary's share stays as it was`,
    },
    async (r, f) => {
      const canary = await startCanary(r, f, 0);
      const res = await r.call('PATCH', `/stages/${r.main}`, {
        patchOperations: [{ op: 'replace', path: '/canarySettings/percentTraffic', value }],
      });
      expect(res.status, `UpdateStage with percentTraffic ${value}`).toBe(400);
      await r.invokeMany(r.main, 10);
      expect(canaryCount(await r.arrivals(), canary), 'requests the canary served').toBe(0);
    },
  );
}
