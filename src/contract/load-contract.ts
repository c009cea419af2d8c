import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { UsageError } from '../usage-error.js';

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';
export const HTTP_METHODS: readonly HttpMethod[] = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
];

/** An OpenAPI document as parsed: only the parts gateproof reads are typed. */
export interface OpenApiDocument {
  openapi: string;
  info?: { title?: string; version?: string };
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [extension: `x-${string}`]: unknown;
}

/** The contract of the API every built-in target serves. */
export const PROBE_CONTRACT_FILE = fileURLToPath(
  new URL('../../../src/contract/probe-api.yaml', import.meta.url),
);

export function loadContract(file: string = PROBE_CONTRACT_FILE): OpenApiDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read OpenAPI contract ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  return parseContract(text, file);
}

export function parseContract(text: string, file: string): OpenApiDocument {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object') throw new UsageError(`${file}: not an OpenAPI document`);
  const version = (doc as { openapi?: unknown }).openapi;
  if (typeof version !== 'string' || !/^3\.[01]\.\d+$/.test(version)) {
    throw new UsageError(
      `${file}: openapi: expected 3.0.x or 3.1.x, found ${JSON.stringify(version ?? null)}`,
    );
  }
  const paths = (doc as { paths?: unknown }).paths;
  if (!paths || typeof paths !== 'object') throw new UsageError(`${file}: paths: missing`);
  return doc as OpenApiDocument;
}

/** Follows a local `$ref` ("#/components/...") to the object it names. */
export function resolveRef<T = unknown>(doc: OpenApiDocument, value: unknown): T {
  let current = value;
  for (let hops = 0; hops < 16 && isRef(current); hops++) {
    current = atPointer(doc, current.$ref);
  }
  return current as T;
}

export function isRef(value: unknown): value is { $ref: string } {
  return !!value && typeof value === 'object' && typeof (value as { $ref?: unknown }).$ref === 'string';
}

export function atPointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new UsageError(`only local $ref are supported, found ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
