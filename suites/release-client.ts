import { signRequest } from '../src/auth/sigv4-sign.js';
import { TypedClient } from '../src/contract/typed-client.js';
import { SetupFailure } from '../src/run/case-meta.js';
import type { Profile } from '../src/target/profile-schema.js';
import type { CaseFixtures, WorkerFixtures } from './fixtures.js';
import { expect } from './fixtures.js';

/**
 * The stages and canary suites' view of a release: requests to either stage of the release API,
 * API Gateway's control-plane calls signed by the deployer, and what the probe saw of each nonce
 * (which integration route, which deployment). Every case runs inside `releasing`, which puts
 * back both stages and the draft integration as they were, so runs stay independent.
 */

export type Release = NonNullable<Profile['release']>;
type Fixtures = CaseFixtures & WorkerFixtures;

export interface StageJson {
  stageName: string;
  deploymentId: string;
  variables: Record<string, string>;
  canarySettings?: {
    deploymentId: string;
    percentTraffic: number;
    stageVariableOverrides?: Record<string, string>;
    useStageCache?: boolean;
  };
}

export interface PatchOp {
  op: 'add' | 'remove' | 'replace' | 'copy';
  path: string;
  value?: string;
  from?: string;
}

/** One request as the probe saw it: the integration route and the deployment (`x-gp-tag`). */
export interface Arrival {
  route: string;
  deployment: string;
  count: number;
}

export function releaseOf(target: Profile): Release {
  if (!target.release) throw new SetupFailure('the profile has no release section (stages, control plane)');
  return target.release;
}

export class ReleaseDriver {
  readonly release: Release;
  private readonly data: TypedClient<unknown>;
  /** For requests sent many times over: only an exchange that was not a 200 becomes evidence. */
  private readonly bulk: TypedClient<unknown>;
  private readonly control: TypedClient<unknown>;
  /** Control-plane reads: bookkeeping, evidence only when they fail. */
  private readonly reads: TypedClient<unknown>;

  /** `quiet`: only exchanges that failed become evidence (the bookkeeping of `releasing`). */
  constructor(
    private readonly f: Fixtures,
    quiet = false,
  ) {
    this.release = releaseOf(f.target);
    const record = (e: Fixtures['evidence'][number]) => {
      if (!quiet || !e.response || e.response.status >= 300) f.evidence.push(e);
    };
    const client = (baseUrl: string, keep: (e: Fixtures['evidence'][number]) => void) =>
      new TypedClient({ baseUrl, stage: '', timeoutMs: f.target.timeoutMs, record: keep });
    this.data = client(this.release.baseUrl, record);
    this.bulk = client(this.release.baseUrl, (e) => {
      if (e.response?.status !== 200) record(e);
    });
    this.control = client(this.release.controlPlane, record);
    this.reads = client(this.release.controlPlane, (e) => {
      if (!e.response || e.response.status >= 300) f.evidence.push(e);
    });
  }

  get main(): string {
    return this.release.stages.main;
  }

  get other(): string {
    return this.release.stages.other;
  }

  /** A GET of `/{stage}{path}` carrying the case's nonce (or another one). */
  invoke(
    stage: string,
    path = '/release',
    options: { nonce?: string; headers?: Record<string, string> } = {},
  ) {
    return this.data.raw('GET', `/${stage}${path}`, {
      query: { gpn: options.nonce ?? this.f.nonce },
      ...(options.headers ? { headers: options.headers } : {}),
    });
  }

  /**
   * `times` requests in a row, each expected to be served. The first is evidence, the others only
   * when they fail: what the probe counted is the case's proof, and a run's results stay small.
   */
  async invokeMany(stage: string, times: number, nonce = this.f.nonce, path = '/release'): Promise<void> {
    for (let i = 0; i < times; i++) {
      const res = await (i === 0 ? this.data : this.bulk).raw('GET', `/${stage}${path}`, {
        query: { gpn: nonce },
      });
      expect(res.status, `request ${i + 1} of ${times} to ${stage}`).toBe(200);
    }
  }

  /** What reached the probe under this nonce, by integration route and deployment. */
  async arrivals(nonce = this.f.nonce): Promise<Arrival[]> {
    const seen = await this.f.probe.seen(nonce);
    return Object.entries(seen).map(([where, count]) => {
      const hash = where.indexOf('#');
      return {
        route: hash === -1 ? where : where.slice(0, hash),
        deployment: hash === -1 ? '' : where.slice(hash + 1),
        count,
      };
    });
  }

  /** A signed control-plane call; `sign: false` sends it unsigned. */
  async call(method: string, path: string, body?: unknown, sign = true) {
    const api = `/restapis/${encodeURIComponent(this.release.restApiId)}${path}`;
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = text === undefined ? {} : { 'content-type': 'application/json' };
    const signed = sign
      ? signRequest({
          method,
          url: this.control.url(api),
          headers,
          ...(text === undefined ? {} : { body: text }),
          credentials: this.release.deployer,
          region: this.release.region,
          service: 'apigateway',
        }).headers
      : headers;
    const client = method === 'GET' ? this.reads : this.control;
    return client.raw(method, api, { headers: signed, ...(text === undefined ? {} : { body: text }) });
  }

  async stage(name: string): Promise<StageJson> {
    const res = await this.call('GET', `/stages/${encodeURIComponent(name)}`);
    if (res.status !== 200) throw new SetupFailure(`GetStage ${name} answered ${res.status}`);
    return res.json as StageJson;
  }

  async patchStage(name: string, ops: PatchOp[]): Promise<StageJson> {
    const res = await this.call('PATCH', `/stages/${encodeURIComponent(name)}`, { patchOperations: ops });
    expect(res.status, `UpdateStage ${name}: ${res.body.slice(0, 200)}`).toBe(200);
    return res.json as StageJson;
  }

  /** CreateDeployment of the draft to a stage, as its deployment or as its canary; the new id. */
  async deploy(stageName: string, canarySettings?: Record<string, unknown>): Promise<string> {
    const res = await this.call('POST', '/deployments', {
      stageName,
      ...(canarySettings ? { canarySettings } : {}),
    });
    expect(res.status, `CreateDeployment: ${res.body.slice(0, 200)}`).toBe(201);
    return (res.json as { id: string }).id;
  }

  private integrationPath(): string {
    return `/resources/${encodeURIComponent(this.release.releaseResourceId)}/methods/GET/integration`;
  }

  async integrationUri(): Promise<string> {
    const res = await this.call('GET', this.integrationPath());
    if (res.status !== 200) throw new SetupFailure(`GetIntegration answered ${res.status}`);
    return (res.json as { uri: string }).uri;
  }

  /** Edits the draft's integration URI of GET /release: live nowhere until deployed. */
  async setIntegrationUri(uri: string): Promise<void> {
    const res = await this.call('PATCH', this.integrationPath(), {
      patchOperations: [{ op: 'replace', path: '/uri', value: uri }],
    });
    expect(res.status, `UpdateIntegration: ${res.body.slice(0, 200)}`).toBe(200);
  }

  /** The draft's URI with a marker path segment, so the probe sees which integration served. */
  async markIntegration(marker: string): Promise<string> {
    const uri = await this.integrationUri();
    await this.setIntegrationUri(`${uri.replace(/\/r-[a-z0-9]+$/, '')}/r-${marker}`);
    return `r-${marker}`;
  }
}

/** Fresh values for stage variables, from the nonce: letters, digits and `-` only. */
export function freshValue(f: Fixtures, label: string): string {
  return `${label}-${f.nonce.replace(/[^A-Za-z0-9-]/g, '').slice(-12)}`;
}

/** Runs a case with both stages and the draft integration put back afterwards, whatever happens. */
export async function releasing(f: Fixtures, body: (r: ReleaseDriver) => Promise<void>): Promise<void> {
  const r = new ReleaseDriver(f);
  const books = new ReleaseDriver(f, true);
  const before = [await books.stage(r.main), await books.stage(r.other)];
  const uri = await books.integrationUri();
  try {
    await body(r);
  } finally {
    await books.setIntegrationUri(uri);
    for (const stage of before) await restore(books, stage);
  }
}

async function restore(r: ReleaseDriver, before: StageJson): Promise<void> {
  const now = await r.stage(before.stageName);
  const ops: PatchOp[] = [];
  if (now.canarySettings && !before.canarySettings) {
    // Its share first: a gateway that keeps a removed canary still sends it nothing.
    ops.push(
      { op: 'replace', path: '/canarySettings/percentTraffic', value: '0' },
      { op: 'remove', path: '/canarySettings' },
    );
  }
  // Always, even when the id is unchanged: a stage must serve that deployment's snapshot again,
  // whatever the case did to the API in between.
  ops.push({ op: 'replace', path: '/deploymentId', value: before.deploymentId });
  for (const [name, value] of Object.entries(before.variables))
    if (now.variables[name] !== value) ops.push({ op: 'replace', path: `/variables/${name}`, value });
  for (const name of Object.keys(now.variables))
    if (!(name in before.variables)) ops.push({ op: 'remove', path: `/variables/${name}` });
  await r.patchStage(before.stageName, ops);
}
