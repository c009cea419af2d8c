import { readFileSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import { type Document, isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../usage-error.js';
import { type Profile, profileSchema } from './profile-schema.js';

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Reads a target profile. Errors name the file, the line and the field, in one line, because the
 * person reading them is looking at a CI log, not a debugger.
 */
export function loadProfile(file: string, env: NodeJS.ProcessEnv = process.env): Profile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read target profile ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  return parseProfile(text, file, env);
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
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      node.value = node.value.replace(ENV_REF, (match, name: string) => {
        const value = env[name];
        if (value !== undefined) return value;
        if (!unset.has(name)) unset.set(name, lineOf(node.range?.[0]));
        return match;
      });
    },
  });
  if (unset.size > 0) throw unsetError(file, unset);
  const parsed = profileSchema.safeParse(doc.toJS());
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
