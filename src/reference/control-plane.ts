import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../contract/read-body.js';
import { UsageError } from '../usage-error.js';
import type { CanarySettings } from './canary.js';
import type { Clock } from './clock.js';
import type { IamCredential } from './config.js';
import type { IamPolicy } from './iam-policy.js';
import { createSigV4Verifier, type SigV4Verifier } from './sigv4-verifier.js';
import { applyStageOperation, PatchError, type PatchOperation, percent } from './stage-patch.js';
import type { ReleaseStages, StageState } from './stages.js';

const MAX_BODY_BYTES = 1024 * 1024;

interface Answer {
  status: number;
  body: unknown;
  errorType?: string;
}

export interface ControlPlane {
  url: string;
  close(): Promise<void>;
}

/**
 * API Gateway's REST control plane for the stages of one API, with the same requests AWS takes,
 * signed with SigV4 for `apigateway`: CreateDeployment (with `stageName` and `canarySettings`),
 * GetDeployments, GetStage(s), UpdateStage (JSON patch operations: rollback, variables, canary
 * settings, promotion, removal), and Get/UpdateIntegration to change the draft API.
 */
export async function startControlPlane(options: {
  host: string;
  restApiId: string;
  region: string;
  credentials: readonly IamCredential[];
  stages: ReleaseStages;
  clock: Clock;
}): Promise<ControlPlane> {
  const { stages, restApiId } = options;
  const verify = createSigV4Verifier({
    credentials: new Map(
      options.credentials.map((c) => [
        c.accessKeyId,
        { secretAccessKey: c.secretAccessKey, arn: c.arn, policy: c.policy as IamPolicy },
      ]),
    ),
    region: options.region,
    service: 'apigateway',
    now: () => options.clock.now(),
  });
  const server = createServer((req, res) => {
    readBody(req, MAX_BODY_BYTES, (body, over) => {
      let answer: Answer;
      try {
        answer = over
          ? error(413, 'BadRequestException', 'Request body too large')
          : (refusal(req, body, verify, stages) ?? route(req, body, restApiId, stages, options.clock));
      } catch (err) {
        answer =
          err instanceof PatchError || err instanceof UsageError
            ? error(400, 'BadRequestException', err.message)
            : error(500, 'InternalFailure', 'Internal server error');
      }
      send(res, answer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A control-plane call must be signed for `apigateway` by a credential of the account. */
function refusal(
  req: IncomingMessage,
  body: Buffer,
  verify: SigV4Verifier,
  stages: ReleaseStages,
): Answer | undefined {
  if (stages.fault === 'control-plane-unsigned') return undefined;
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const verdict = verify({
    method: req.method ?? 'GET',
    path: queryStart === -1 ? url : url.slice(0, queryStart),
    query: queryStart === -1 ? '' : url.slice(queryStart + 1),
    headers: req.headers,
    body,
  });
  return verdict.ok ? undefined : error(verdict.status, verdict.errorType, verdict.message);
}

function route(
  req: IncomingMessage,
  body: Buffer,
  restApiId: string,
  stages: ReleaseStages,
  clock: Clock,
): Answer {
  const method = req.method ?? 'GET';
  const path = (req.url ?? '/').split('?', 1)[0]!;
  const parts = path.split('/').slice(1).map(decodeURIComponent);
  if (parts[0] !== 'restapis' || parts.length < 3)
    return error(404, 'UnknownOperationException', 'Unknown operation');
  if (parts[1] !== restApiId) return error(404, 'NotFoundException', 'Invalid API identifier specified');
  const [, , collection, id, ...rest] = parts;
  const json = () => parseBody(body);
  if (collection === 'deployments' && id === undefined) {
    if (method === 'GET') return ok(200, { items: stages.api.list().map(deploymentJson) });
    if (method === 'POST') return createDeployment(stages, json(), clock);
  }
  if (collection === 'deployments' && id !== undefined && rest.length === 0 && method === 'GET') {
    const deployment = stages.api.deployment(id);
    return deployment
      ? ok(200, deploymentJson(deployment))
      : error(404, 'NotFoundException', 'Invalid Deployment identifier specified');
  }
  if (collection === 'stages' && id === undefined && method === 'GET')
    return ok(200, { item: stages.names().map((name) => stages.get(name)) });
  if (collection === 'stages' && id !== undefined && rest.length === 0) {
    const state = stages.get(id);
    if (!state) return error(404, 'NotFoundException', 'Invalid Stage identifier specified');
    if (method === 'GET') return ok(200, state);
    if (method === 'PATCH') return updateStage(stages, state, operations(json()));
  }
  if (collection === 'resources' && id !== undefined && rest[0] === 'methods' && rest[2] === 'integration') {
    const target = stages.api.method(id, rest[1] ?? '');
    if (!target) return error(404, 'NotFoundException', 'Invalid Method identifier specified');
    if (method === 'GET') return ok(200, integrationJson(target.integration));
    if (method === 'PATCH') return updateIntegration(stages, id, rest[1]!, operations(json()), clock);
  }
  return error(404, 'UnknownOperationException', 'Unknown operation');
}

function createDeployment(stages: ReleaseStages, input: Record<string, unknown>, clock: Clock): Answer {
  const stageName = optionalString(input.stageName, 'stageName');
  const canaryInput = input.canarySettings as Record<string, unknown> | undefined;
  const variables = stringMap(input.variables, 'variables');
  const state = stageName === undefined ? undefined : stages.get(stageName);
  if (stageName !== undefined && !state)
    throw new PatchError(`Invalid stage identifier specified: ${stageName}`);
  if (canaryInput !== undefined && !state) throw new PatchError('canarySettings need a stageName');
  const description = optionalString(input.description, 'description') ?? '';
  // Checked before the deployment exists, so a refused request leaves no trace.
  const canary: Omit<CanarySettings, 'deploymentId'> | undefined = canaryInput && {
    percentTraffic: percent((canaryInput.percentTraffic as number | undefined) ?? 0, stages.fault),
    stageVariableOverrides: stringMap(canaryInput.stageVariableOverrides, 'stageVariableOverrides') ?? {},
    useStageCache: canaryInput.useStageCache === true,
  };
  const deployment = stages.api.deploy(description, clock.now());
  if (state) {
    if (canary) stages.set({ ...state, canarySettings: { deploymentId: deployment.id, ...canary } });
    else {
      stages.set({ ...state, deploymentId: deployment.id, variables: { ...state.variables, ...variables } });
      // The fault: a deployment to one stage reaches every stage.
      if (stages.fault === 'deployment-to-every-stage') {
        for (const name of stages.names())
          if (name !== stageName) stages.set({ ...stages.get(name)!, deploymentId: deployment.id });
      }
    }
  }
  return ok(201, deploymentJson(deployment));
}

function updateStage(stages: ReleaseStages, state: StageState, ops: PatchOperation[]): Answer {
  let next = state;
  let rollback = false;
  for (const op of ops) {
    const applied = applyStageOperation(next, op, stages.fault);
    next = applied.state;
    rollback ||= applied.rollback;
    // The fault: each operation takes effect on its own, so a refused one leaves those before it.
    if (stages.fault === 'stage-patch-partial') stages.set(next, { rollback: applied.rollback });
  }
  stages.set(next, { rollback });
  return ok(200, stages.get(state.stageName));
}

/** UpdateIntegration on the draft: `replace /uri`; nothing is live until it is deployed. */
function updateIntegration(
  stages: ReleaseStages,
  resource: string,
  httpMethod: string,
  ops: PatchOperation[],
  clock: Clock,
): Answer {
  const target = stages.api.method(resource, httpMethod)!;
  let integration = target.integration;
  for (const op of ops) {
    if (op.op !== 'replace' || op.path !== '/uri' || typeof op.value !== 'string')
      throw new PatchError(`Invalid patch path '${op.path}' specified for op '${op.op}'.`);
    integration = { ...integration, uri: op.value };
  }
  stages.api.replaceMethod(target, { ...target, integration });
  // The fault: the draft is served at once, as if every edit were deployed to every stage.
  if (stages.fault === 'draft-served-live') {
    const deployment = stages.api.deploy('draft', clock.now());
    for (const name of stages.names()) stages.set({ ...stages.get(name)!, deploymentId: deployment.id });
  }
  return ok(200, integrationJson(integration));
}

function deploymentJson(d: { id: string; description: string; createdDate: number }) {
  return { id: d.id, description: d.description, createdDate: Math.floor(d.createdDate / 1000) };
}

function integrationJson(integration: { type: string; httpMethod: string; uri: string }) {
  return { type: integration.type.toUpperCase(), httpMethod: integration.httpMethod, uri: integration.uri };
}

function operations(input: Record<string, unknown>): PatchOperation[] {
  const ops = input.patchOperations;
  if (!Array.isArray(ops)) throw new PatchError('patchOperations must be a list');
  return ops.map((op) => {
    if (!op || typeof op !== 'object' || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw new PatchError('each patch operation needs op and path');
    return op as PatchOperation;
  });
}

function parseBody(body: Buffer): Record<string, unknown> {
  try {
    const value = JSON.parse(body.toString('utf8') || '{}') as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new PatchError('the request body is not a JSON object');
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new PatchError(`${name} must be a string`);
  return value;
}

function stringMap(value: unknown, name: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== 'object' || Object.values(value).some((v) => typeof v !== 'string'))
    throw new PatchError(`${name} must map names to strings`);
  return value as Record<string, string>;
}

function ok(status: number, body: unknown): Answer {
  return { status, body };
}

function error(status: number, errorType: string, message: string): Answer {
  return { status, errorType, body: { message } };
}

function send(res: ServerResponse, answer: Answer): void {
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(answer.errorType ? { 'x-amzn-ErrorType': answer.errorType } : {}),
  });
  res.end(body);
}
