import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseChannel } from '../src/reference/canary.js';
import { applyStageOperation, PatchError, percent } from '../src/reference/stage-patch.js';
import type { StageState } from '../src/reference/stages.js';

const stage: StageState = {
  stageName: 'prod',
  deploymentId: 'd1',
  variables: { backend: 'main' },
  canarySettings: {
    deploymentId: 'd2',
    percentTraffic: 10,
    stageVariableOverrides: { backend: 'canary', 'a/b': 'x' },
    useStageCache: false,
  },
  cacheClusterEnabled: true,
  createdDate: 0,
  lastUpdatedDate: 0,
};

test('UpdateStage operations: rollback, variables, canary settings and promotion, on a copy', () => {
  const rolled = applyStageOperation(stage, { op: 'replace', path: '/deploymentId', value: 'd0' }, undefined);
  assert.equal(rolled.state.deploymentId, 'd0');
  assert.equal(rolled.rollback, true);
  assert.equal(stage.deploymentId, 'd1', 'the stage itself is untouched');
  const copied = applyStageOperation(
    stage,
    { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
    undefined,
  );
  assert.equal(copied.state.deploymentId, 'd2');
  assert.equal(copied.rollback, false);
  const variables = applyStageOperation(
    stage,
    { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' },
    undefined,
  );
  assert.equal(variables.state.variables.backend, 'canary');
  const escaped = applyStageOperation(
    stage,
    { op: 'remove', path: '/canarySettings/stageVariableOverrides/a~1b' },
    undefined,
  );
  assert.deepEqual(escaped.state.canarySettings?.stageVariableOverrides, { backend: 'canary' });
  const removed = applyStageOperation(stage, { op: 'remove', path: '/canarySettings' }, undefined);
  assert.equal(removed.state.canarySettings, undefined);
  const cache = applyStageOperation(
    stage,
    { op: 'replace', path: '/canarySettings/useStageCache', value: 'true' },
    undefined,
  );
  assert.equal(cache.state.canarySettings?.useStageCache, true);
});

test('refused operations: a share outside 0 to 100, an unknown path, a canary path without a canary', () => {
  for (const value of ['100.5', '-1', 'ten', '']) {
    assert.throws(
      () =>
        applyStageOperation(
          stage,
          { op: 'replace', path: '/canarySettings/percentTraffic', value },
          undefined,
        ),
      PatchError,
    );
  }
  assert.equal(percent('0'), 0);
  assert.equal(percent('100'), 100);
  assert.throws(
    () => applyStageOperation(stage, { op: 'replace', path: '/nope', value: 'x' }, undefined),
    PatchError,
  );
  const { canarySettings: _, ...plain } = stage;
  assert.throws(
    () =>
      applyStageOperation(
        plain,
        { op: 'replace', path: '/canarySettings/percentTraffic', value: '5' },
        undefined,
      ),
    /no canary settings/,
  );
});

test('the channel is chosen per request with the canary share; none without a canary', () => {
  const canary = stage.canarySettings!;
  assert.equal(
    chooseChannel(undefined, undefined, () => 0),
    'stage',
  );
  assert.equal(
    chooseChannel(canary, undefined, () => 0.099),
    'canary',
  );
  assert.equal(
    chooseChannel(canary, undefined, () => 0.1),
    'stage',
  );
  assert.equal(
    chooseChannel({ ...canary, percentTraffic: 0 }, undefined, () => 0),
    'stage',
  );
  assert.equal(
    chooseChannel({ ...canary, percentTraffic: 100 }, undefined, () => 0.9999),
    'canary',
  );
});
