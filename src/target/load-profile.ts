import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../usage-error.js';
import { type Profile, profileSchema } from './profile-schema.js';

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A profile is a page of YAML: 1 MiB is plenty, and bounds what parsing it can cost. */
export const MAX_PROFILE_BYTES = 1024 * 1024;
/** One value after `${ENV}` substitution: a key, a token, a URL, never megabytes. */
export const MAX_VALUE_BYTES = 64 * 1024;

/**
 * Reads a target profile. Errors name the file, the line and the field, in one line, because the
 * person reading them is looking at a CI log, not a debugger.
 */
export function loadProfile(file: string, env: NodeJS.ProcessEnv = process.env): Profile {
  return parseProfile(readProfileText(file), file, env);
}

/**
 * Reads at most MAX_PROFILE_BYTES of a regular file. Opened without blocking and checked before
 * reading, so a FIFO with no writer, a device (`/dev/zero`) or a directory is refused at once.
 */
function readProfileText(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new UsageError(`cannot read target profile ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UsageError(`${file}: not a regular file; a target profile is a YAML file`);
    const tooLarge = () =>
      new UsageError(
        `${file}: over ${MAX_PROFILE_BYTES / 1024 / 1024} MiB; a target profile is a page of YAML`,
      );
    if (stat.size > MAX_PROFILE_BYTES) throw tooLarge();
    const buffer = Buffer.alloc(MAX_PROFILE_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > MAX_PROFILE_BYTES) throw tooLarge();
    return buffer.subarray(0, length).toString('utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read target profile ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  } finally {
    closeSync(fd);
  }
}

export function parseProfile(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Profile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
  const yamlError = doc.errors[0];
  if (yamlError) {
    throw new UsageError(
      `${file}:${lineOf(yamlError.pos[0])}: invalid YAML: ${yamlError.message.split('\n')[0]}`,
    );
  }
  if (doc.contents === null) throw new UsageError(`${file}: the profile is empty`);
  // Substitute secrets in the parsed tree, not in the text, so a value holding YAML syntax
  // cannot change the document's structure. Every unset variable is named at once.
  const unset = new Map<string, number>();
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'string') return;
      const substituted = node.value.replace(ENV_REF, (match, name: string) => {
        const value = env[name];
        if (value !== undefined) return value;
        if (!unset.has(name)) unset.set(name, lineOf(node.range?.[0]));
        return match;
      });
      node.value = substituted;
      if (Buffer.byteLength(substituted) > MAX_VALUE_BYTES) {
        throw new UsageError(
          `${file}:${lineOf(node.range?.[0])}: ${fieldAt(path) || 'a value'}: over ${MAX_VALUE_BYTES / 1024} KiB; no profile value is that long`,
        );
      }
    },
  });
  if (unset.size > 0) throw unsetError(file, unset);
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // yaml refuses aliases that expand without bound (a "billion laughs"); say so, and where.
    if (!/alias/i.test((err as Error).message)) throw err;
    throw new UsageError(
      `${file}:${lineOf(aliasBombOffset(doc))}: YAML alias bomb: aliases that expand without bound (a resource exhaustion attack) are refused`,
    );
  }
  const parsed = profileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues as z.core.$ZodIssue[];
    const unknown = unknownKeys(doc, issues, lineOf);
    if (unknown) throw new UsageError(`${file}:${unknown}`);
    const issue = issues[0]!;
    const path = issue.path.map(String);
    const line = lineOf(offsetOf(doc, issue.path));
    throw new UsageError(`${file}:${line}: ${path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

function unsetError(file: string, unset: Map<string, number>): UsageError {
  const [name, line] = [...unset][0]!;
  if (unset.size === 1) return new UsageError(`${file}:${line}: environment variable ${name} is not set`);
  const names = [...unset].map(([n, l]) => `${n} (line ${l})`).join(', ');
  return new UsageError(`${file}:${line}: environment variables not set: ${names}`);
}

/**
 * A misspelt key is reported where it is, with the nearest valid key, before anything it caused
 * (a misspelt required key also makes that key missing). The first by line; the rest counted.
 */
function unknownKeys(
  doc: Document,
  issues: readonly z.core.$ZodIssue[],
  lineOf: (offset: number | undefined) => number,
): string | undefined {
  const found: { line: number; text: string }[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const parent = issue.path.length ? doc.getIn(issue.path, true) : doc.contents;
    const valid = keysAt(profileSchema, issue.path);
    for (const key of issue.keys) {
      const pair = isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && p.key.value === key)
        : undefined;
      const keyNode = pair?.key as { range?: [number, number, number] } | undefined;
      const near = valid.length ? closest(key, valid) : undefined;
      const hint =
        near && distance(key.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3))
          ? `; did you mean ${near}?`
          : valid.length
            ? `; valid keys here: ${valid.join(', ')}`
            : '';
      const where = [...issue.path.map(String), key].join('.');
      found.push({ line: lineOf(keyNode?.range?.[0]), text: `${where}: unknown key${hint}` });
    }
  }
  found.sort((a, b) => a.line - b.line);
  const [first] = found;
  if (!first) return undefined;
  const more =
    found.length > 1 ? ` (and ${found.length - 1} more unknown key${found.length > 2 ? 's' : ''})` : '';
  return `${first.line}: ${first.text}${more}`;
}

/** The keys an object of the schema accepts at this path (wrappers such as optional or default seen through). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const WRAPPERS = ['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'];
  type Def = {
    type: string;
    innerType?: Node;
    in?: Node;
    shape?: Record<string, Node>;
    element?: Node;
    valueType?: Node;
  };
  type Node = { _zod: { def: Def } };
  const unwrap = (node: Node): Node => {
    let current = node;
    for (;;) {
      const def = current._zod.def;
      if (WRAPPERS.includes(def.type) && def.innerType) current = def.innerType;
      else if (def.type === 'pipe' && def.in) current = def.in;
      else return current;
    }
  };
  let node: Node | undefined = schema as unknown as Node;
  for (const segment of path) {
    const def: Def = unwrap(node)._zod.def;
    node =
      def.type === 'object'
        ? def.shape?.[String(segment)]
        : def.type === 'array'
          ? def.element
          : def.type === 'record'
            ? def.valueType
            : undefined;
    if (!node) return [];
  }
  const def = unwrap(node)._zod.def;
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/** The offset of the deepest node on the path that exists: a missing field points at its parent. */
function offsetOf(doc: Document, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return range[0];
  }
  return undefined;
}

/** The dotted field a node sits in, from the pairs above it: `apiKeys.valid`, `cors.allowOrigins`. */
function fieldAt(path: readonly unknown[]): string {
  return path
    .filter(isPair)
    .map((pair) => (isScalar(pair.key) ? String(pair.key.value) : '?'))
    .join('.');
}

/**
 * Where an alias bomb goes off: the first alias at which the nodes expanded so far pass what any
 * profile holds, counted the way a reader would expand them.
 */
function aliasBombOffset(doc: Document): number | undefined {
  const LIMIT = 10_000;
  const sizes = new Map<Node, number>();
  const sizeOf = (node: unknown, depth = 0): number => {
    if (depth > 64) return LIMIT;
    if (isAlias(node)) return sizeOf(node.resolve(doc), depth + 1);
    if (!node || typeof node !== 'object') return 1;
    const known = sizes.get(node as Node);
    if (known !== undefined) return known;
    let size = 1;
    for (const item of (node as { items?: unknown[] }).items ?? []) {
      size += isPair(item)
        ? sizeOf(item.key, depth + 1) + sizeOf(item.value, depth + 1)
        : sizeOf(item, depth + 1);
      if (size >= LIMIT) break;
    }
    sizes.set(node as Node, Math.min(size, LIMIT));
    return Math.min(size, LIMIT);
  };
  let expanded = 0;
  let first: number | undefined;
  let found: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      first ??= node.range?.[0];
      expanded += sizeOf(node.resolve(doc));
      if (expanded >= LIMIT) {
        found = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found ?? first;
}
