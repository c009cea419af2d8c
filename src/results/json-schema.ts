import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { RESULTS_SCHEMA_ID, resultsSchema } from './model.js';
import { RESULTS_SCHEMA_FILE } from './schema-file.js';

export const RESULTS_SCHEMA_URL = 'https://gateproof.dev/schemas/results-2.json';

/**
 * The JSON Schema of results.json, generated from the zod model. It describes what gateproof
 * writes (zod's output side), so unknown properties are rejected and defaulted fields required:
 * a writer that drifts from the model fails validation instead of shipping an odd file.
 */
export function resultsJsonSchema(): Record<string, unknown> {
  const { $schema, ...body } = z.toJSONSchema(resultsSchema, { target: 'draft-2020-12', io: 'output' });
  return {
    $schema,
    $id: RESULTS_SCHEMA_URL,
    title: RESULTS_SCHEMA_ID,
    description: 'A gateproof run: target, conformance cases with evidence, load scenarios, verdict.',
    ...body,
  };
}

export function writeResultsSchema(file: string = RESULTS_SCHEMA_FILE): string {
  writeFileSync(file, `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`);
  return file;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`wrote ${writeResultsSchema()}`);
}
