import type { OpenAPI3 } from 'openapi-typescript';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { UsageError } from '../usage-error.js';
import { loadContract } from './load-contract.js';

/**
 * Types for a contract, through openapi-typescript. The typed client takes them as its type
 * parameter, so a user's own API gets the same client by generating its types with this.
 */
export async function generateTypes(specFile: string): Promise<string> {
  const doc = loadContract(specFile);
  try {
    const ast = await openapiTS(doc as unknown as OpenAPI3, { silent: true, alphabetize: true });
    return COMMENT_HEADER + astToString(ast);
  } catch (err) {
    throw new UsageError(
      `${specFile}: openapi-typescript could not read it: ${(err as Error).message.split('\n')[0]}`,
    );
  }
}
