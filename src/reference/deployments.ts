import { createHash, randomBytes } from 'node:crypto';
import type { ApiMethod, ApiModel } from './api-model.js';

/** A deployment: an immutable snapshot of the API as it was when it was deployed. */
export interface Deployment {
  id: string;
  description: string;
  createdDate: number;
  model: ApiModel;
}

/** A resource of the API as the control plane names it: an opaque id for a path. */
export interface Resource {
  id: string;
  path: string;
}

/**
 * The API behind the stages: its draft (what the control plane edits) and its deployments. An
 * edit replaces the method it touches with a new object, so a deployment made earlier keeps the
 * methods it was given: snapshots are immutable by construction, not by copying.
 */
export class ReleaseApi {
  private current: ApiModel;
  private readonly deployments = new Map<string, Deployment>();
  readonly resources: readonly Resource[];

  constructor(model: ApiModel) {
    this.current = model;
    const paths = [...new Set(model.methods.map((m) => m.resourcePath))];
    this.resources = paths.map((path) => ({ id: resourceId(path), path }));
  }

  get draft(): ApiModel {
    return this.current;
  }

  deploy(description: string, now: number): Deployment {
    const deployment = {
      id: randomBytes(5).toString('hex'),
      description,
      createdDate: now,
      model: this.current,
    };
    this.deployments.set(deployment.id, deployment);
    return deployment;
  }

  deployment(id: string): Deployment | undefined {
    return this.deployments.get(id);
  }

  list(): Deployment[] {
    return [...this.deployments.values()];
  }

  method(resource: string, httpMethod: string): ApiMethod | undefined {
    const path = this.resources.find((r) => r.id === resource)?.path;
    return this.current.methods.find((m) => m.resourcePath === path && m.httpMethod === httpMethod);
  }

  /** Replaces one method of the draft by an edited copy. */
  replaceMethod(old: ApiMethod, edited: ApiMethod): void {
    this.current = { ...this.current, methods: this.current.methods.map((m) => (m === old ? edited : m)) };
  }
}

/** Ten lower-case characters, stable per path, shaped like API Gateway's resource ids. */
function resourceId(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 10);
}
