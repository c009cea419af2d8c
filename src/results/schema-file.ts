import { fileURLToPath } from 'node:url';

/**
 * The shipped JSON Schema of results.json. It lives beside its source (not in dist/) so that the
 * package exports it as `gateproof/results.schema.json`; this module is compiled to
 * dist/src/results/, three levels below the package root.
 */
export const RESULTS_SCHEMA_FILE = fileURLToPath(
  new URL('../../../src/results/results.schema.json', import.meta.url),
);
