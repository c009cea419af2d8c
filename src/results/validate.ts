import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { RESULTS_SCHEMA_FILE } from './schema-file.js';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true }).compile(
    JSON.parse(readFileSync(RESULTS_SCHEMA_FILE, 'utf8')),
  );
  return compiled;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties')
    return `${where}: unknown property "${params.additionalProperty}"`;
  if (error.keyword === 'required') return `${where}: missing property "${params.missingProperty}"`;
  if (error.keyword === 'enum')
    return `${where}: ${error.message} (${(params.allowedValues as unknown[]).join(', ')})`;
  return `${where}: ${error.message}`;
}

/** Checks a parsed results.json against the shipped JSON Schema; one line per problem, none when valid. */
export function validateResults(value: unknown): string[] {
  const validate = validator();
  return validate(value) ? [] : (validate.errors ?? []).map(describe);
}
