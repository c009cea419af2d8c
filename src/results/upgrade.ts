import { RESULTS_SCHEMA_ID, RESULTS_SCHEMA_V1 } from './model.js';

/**
 * A results@1 file read as @2: @2 only added to @1 (the `incomplete` verdict, reasons, what did
 * not run, scenario checks), so an @1 file is an @2 file with no reasons given. Its verdict is
 * kept as recorded. Anything else is returned as is, for the schema to judge.
 */
export function upgradeResults(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const file = value as { schema?: unknown; summary?: unknown };
  if (file.schema !== RESULTS_SCHEMA_V1 || typeof file.summary !== 'object' || file.summary === null)
    return value;
  return { ...file, schema: RESULTS_SCHEMA_ID, summary: { reasons: [], ...file.summary } };
}
