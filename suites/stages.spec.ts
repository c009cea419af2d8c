import { expectNotReached, REJECT } from './expectations.js';
import { type CaseFixtures, expect, gateCase, type WorkerFixtures } from './fixtures.js';
import { expectPremise } from './premise.js';
import { type Arrival, freshValue, type ReleaseDriver, releasing } from './release-client.js';

/**
 * Stages of one API: each stage's variables reach its integration and no other stage's; a
 * deployment changes only the stage it is deployed to, and a rollback restores the earlier one
 * exactly; each stage has its own cache, throttle and usage-plan membership; the control plane
 * takes only signed calls and applies a patch whole or not at all. Every request is proven at the
 * probe: the integration URI carries the stage variable `backend`, and the integration request
 * the deployment id.
 */

const REF = 'aws-semantics.md#stages-deployments-and-canaries';
const PLANS_REF = 'aws-semantics.md#usage-plans-throttle-and-quota';
type Fixtures = CaseFixtures & WorkerFixtures;

const stagesCase = (
  meta: { id: string; title: string; refs?: string[] },
  body: (r: ReleaseDriver, f: Fixtures) => Promise<void>,
) =>
  gateCase({ ...meta, level: 'core', features: ['stages'], refs: meta.refs ?? [REF] }, (f) =>
    releasing(f, (r) => body(r, f)),
  );

function routes(arrivals: Arrival[]): string[] {
  return arrivals.map((a) => a.route).sort();
}

stagesCase(
  {
    id: 'stages.variables.reach-integration',
    title: "a stage's variable, changed on the stage, is what its integration URI uses on the next request",
  },
  async (r, f) => {
    const backend = freshValue(f, 'main');
    await r.patchStage(r.main, [{ op: 'replace', path: '/variables/backend', value: backend }]);
    await r.invokeMany(r.main, 2);
    expect(routes(await r.arrivals()), 'integration routes at the probe').toEqual([`/release/${backend}`]);
  },
);

stagesCase(
  {
    id: 'stages.variables.other-stage-never',
    title: "another stage's variables never reach a stage's integration, even with values sharing a prefix",
  },
  async (r, f) => {
    const mainValue = freshValue(f, 'v');
    const otherValue = `${mainValue}-b`;
    await r.patchStage(r.main, [{ op: 'replace', path: '/variables/backend', value: mainValue }]);
    await r.patchStage(r.other, [{ op: 'replace', path: '/variables/backend', value: otherValue }]);
    await r.invokeMany(r.other, 3);
    expect(routes(await r.arrivals()), 'the other stage reached only its own backend').toEqual([
      `/release/${otherValue}`,
    ]);
    const mainNonce = `${f.nonce}-main`;
    await r.invokeMany(r.main, 3, mainNonce);
    expect(routes(await r.arrivals(mainNonce)), 'the main stage reached only its own backend').toEqual([
      `/release/${mainValue}`,
    ]);
  },
);

stagesCase(
  {
    id: 'stages.variables.mapping-template',
    title: "a stage's variable reaches the integration through the mapping template, on that stage only",
  },
  async (r, f) => {
    const color = freshValue(f, 'c');
    await r.patchStage(r.main, [{ op: 'replace', path: '/variables/color', value: color }]);
    const main = await r.invoke(r.main);
    const other = await r.invoke(r.other, '/release', { nonce: `${f.nonce}-other` });
    const bodyOf = (res: typeof main) =>
      JSON.parse((res.json as { body?: string } | undefined)?.body ?? '{}');
    expect(bodyOf(main).color, "the main stage's template body at the probe").toBe(color);
    expect(bodyOf(other).color, "the other stage's template body at the probe").not.toBe(color);
    expect(await f.probe.reached(f.nonce), 'the main request reached the probe').toBe(1);
  },
);

stagesCase(
  {
    id: 'stages.variables.shared-deployment-own-variables',
    title: 'two stages serving the same deployment each send their own variables to the integration',
  },
  async (r, f) => {
    const id = await r.deploy(r.main);
    await r.patchStage(r.other, [{ op: 'replace', path: '/deploymentId', value: id }]);
    const mainValue = freshValue(f, 'm');
    const otherValue = freshValue(f, 'o');
    await r.patchStage(r.main, [{ op: 'replace', path: '/variables/backend', value: mainValue }]);
    await r.patchStage(r.other, [{ op: 'replace', path: '/variables/backend', value: otherValue }]);
    await r.invokeMany(r.main, 2);
    const otherNonce = `${f.nonce}-other`;
    await r.invokeMany(r.other, 2, otherNonce);
    expect(await r.arrivals(), 'the main stage at the probe').toEqual([
      { route: `/release/${mainValue}`, deployment: id, count: 2 },
    ]);
    expect(await r.arrivals(otherNonce), 'the other stage at the probe').toEqual([
      { route: `/release/${otherValue}`, deployment: id, count: 2 },
    ]);
  },
);

stagesCase(
  {
    id: 'stages.deployment.draft-not-live',
    title: 'an edit of the API changes no stage until it is deployed',
  },
  async (r, f) => {
    const before = await r.stage(r.main);
    const marker = await r.markIntegration(f.nonce.slice(-6));
    await r.invokeMany(r.main, 2);
    const arrivals = await r.arrivals();
    expect(
      arrivals.filter((a) => a.route.endsWith(marker)),
      'requests served by the undeployed integration',
    ).toEqual([]);
    expect(
      arrivals.map((a) => a.deployment),
      'the deployment that served',
    ).toEqual([before.deploymentId]);
  },
);

stagesCase(
  {
    id: 'stages.deployment.only-where-deployed',
    title: 'a deployment changes the stage it is deployed to, and no other stage',
  },
  async (r, f) => {
    const other = await r.stage(r.other);
    const marker = await r.markIntegration(f.nonce.slice(-6));
    const id = await r.deploy(r.main);
    await r.invokeMany(r.main, 2);
    expect(await r.arrivals(), 'the main stage serves the new deployment').toEqual([
      { route: `/release/${(await r.stage(r.main)).variables.backend}/${marker}`, deployment: id, count: 2 },
    ]);
    const otherNonce = `${f.nonce}-other`;
    await r.invokeMany(r.other, 2, otherNonce);
    expect(await r.arrivals(otherNonce), 'the other stage still serves its own deployment').toEqual([
      { route: `/release/${other.variables.backend}`, deployment: other.deploymentId, count: 2 },
    ]);
  },
);

stagesCase(
  {
    id: 'stages.deployment.rollback-restores',
    title: "a rollback (replace /deploymentId) restores the earlier deployment's integration exactly",
  },
  async (r, f) => {
    const before = await r.stage(r.main);
    const marker = await r.markIntegration(f.nonce.slice(-6));
    const id = await r.deploy(r.main);
    const deployedNonce = `${f.nonce}-deployed`;
    await r.invokeMany(r.main, 1, deployedNonce);
    const deployed = await r.arrivals(deployedNonce);
    expectPremise(
      deployed.length === 1 && deployed[0]!.route.endsWith(marker) && deployed[0]!.deployment === id,
      'the new deployment serves before the rollback',
      JSON.stringify(deployed),
    );
    await r.patchStage(r.main, [{ op: 'replace', path: '/deploymentId', value: before.deploymentId }]);
    await r.invokeMany(r.main, 2);
    expect(await r.arrivals(), 'after the rollback').toEqual([
      { route: `/release/${before.variables.backend}`, deployment: before.deploymentId, count: 2 },
    ]);
  },
);

stagesCase(
  {
    id: 'stages.plans.stage-membership',
    title:
      'a key whose usage plan covers one stage is admitted there and refused on the other, before its integration',
    refs: [PLANS_REF, REF],
  },
  async (r, f) => {
    const headers = { 'x-api-key': r.release.apiKeys.mainOnly };
    const admitted = await r.invoke(r.main, '/release/keyed', { headers, nonce: `${f.nonce}-main` });
    expectPremise(
      admitted.status === 200,
      'the key is admitted on the stage its plan covers',
      `${admitted.status}`,
    );
    const refused = await r.invoke(r.other, '/release/keyed', { headers });
    expect(refused.status, 'status on the stage the plan does not cover').toBe(REJECT.forbidden.aws.status);
    await expectNotReached(f.probe, f.nonce);
    const both = await r.invoke(r.other, '/release/keyed', {
      headers: { 'x-api-key': r.release.apiKeys.bothStages },
      nonce: `${f.nonce}-both`,
    });
    expect(both.status, 'a key whose plan covers both stages, on the other stage').toBe(200);
  },
);

stagesCase(
  {
    id: 'stages.throttle.per-stage',
    title: "a stage's method throttle in a usage plan limits that stage only",
    refs: [PLANS_REF, REF],
  },
  async (r, f) => {
    const headers = { 'x-api-key': r.release.apiKeys.throttled };
    const { burstLimit } = r.release.throttle;
    const otherNonce = `${f.nonce}-other`;
    const otherStatuses: number[] = [];
    for (let i = 0; i <= burstLimit; i++)
      otherStatuses.push((await r.invoke(r.other, '/release/keyed', { headers, nonce: otherNonce })).status);
    expect(otherStatuses, 'the other stage, which throttles nothing').toEqual(otherStatuses.map(() => 200));
    const statuses: number[] = [];
    for (let i = 0; i <= burstLimit + 1; i++)
      statuses.push((await r.invoke(r.main, '/release/keyed', { headers })).status);
    expect(statuses.slice(-1), 'the main stage, past its burst').toEqual([REJECT.throttled.aws.status]);
    expect(await f.probe.reached(f.nonce), 'main requests that reached the integration').toBeLessThanOrEqual(
      burstLimit + 1,
    );
  },
);

stagesCase(
  {
    id: 'stages.cache.per-stage',
    title: "a stage's cache serves that stage only: a stage without a cache never gets another stage's entry",
    refs: ['aws-semantics.md#caching-rest-stages', REF],
  },
  async (r, f) => {
    await r.invokeMany(r.main, 2, f.nonce, '/release/cached');
    expectPremise(
      (await f.probe.reached(f.nonce)) === 1,
      "the main stage's cache served the second request",
      'two arrivals',
    );
    await r.invokeMany(r.other, 2, f.nonce, '/release/cached');
    expect(await f.probe.reached(f.nonce), 'arrivals after two requests to the uncached stage').toBe(3);
  },
);

stagesCase(
  {
    id: 'stages.control.unsigned-refused',
    title: 'an unsigned UpdateStage is refused and changes nothing the probe can see',
    refs: [REF, 'aws-semantics.md#iam-authorization-sigv4-rest-403s'],
  },
  async (r, f) => {
    const before = await r.stage(r.main);
    const res = await r.call(
      'PATCH',
      `/stages/${r.main}`,
      { patchOperations: [{ op: 'replace', path: '/variables/backend', value: freshValue(f, 'x') }] },
      false,
    );
    expect(res.status, 'the unsigned call').toBe(403);
    await r.invokeMany(r.main, 1);
    expect(routes(await r.arrivals()), 'the backend after the refused call').toEqual([
      `/release/${before.variables.backend}`,
    ]);
  },
);

stagesCase(
  {
    id: 'stages.control.patch-atomic',
    title:
      'an UpdateStage with one invalid operation is refused whole: the valid ones before it are not applied',
  },
  async (r, f) => {
    const before = await r.stage(r.main);
    const res = await r.call('PATCH', `/stages/${r.main}`, {
      patchOperations: [
        { op: 'replace', path: '/variables/backend', value: freshValue(f, 'x') },
        { op: 'replace', path: '/deploymentId', value: 'nosuchdeployment' },
      ],
    });
    expect(res.status, 'the patch with an unknown deployment').toBe(400);
    await r.invokeMany(r.main, 1);
    expect(routes(await r.arrivals()), 'the backend after the refused patch').toEqual([
      `/release/${before.variables.backend}`,
    ]);
  },
);
