import { readFileSync } from 'node:fs';
import { type Document, LineCounter, parseDocument, visit } from 'yaml';
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
  // Substitute secrets in the parsed tree, not in the text, so a value holding YAML syntax
  // cannot change the document's structure.
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      node.value = node.value.replace(ENV_REF, (_m, name: string) => {
        const value = env[name];
        if (value === undefined) {
          throw new UsageError(`${file}:${lineOf(node.range?.[0])}: environment variable ${name} is not set`);
        }
        return value;
      });
    },
  });
  const parsed = profileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const path = issue.path.map(String);
    const line = lineOf(offsetOf(doc, issue.path));
    throw new UsageError(`${file}:${line}: ${path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
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
