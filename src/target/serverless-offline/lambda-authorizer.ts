import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthorizerEvent } from '../../reference/lambda-authorizer.js';
import { createReferenceAuthorizerFunction } from '../../reference/lambda-authorizer-function.js';
import type { AuthorizerResult } from '../../reference/lambda-authorizer-result.js';

/**
 * The reference gateway's authorizer function as a Lambda function for serverless-offline (both
 * the TOKEN and the REQUEST authorizer run it), so that the two targets answer the same tokens
 * alike. serverless-offline runs each function in worker threads it starts and ends as it likes,
 * so the calls are numbered in a directory every instance shares, not in memory.
 */

export interface LambdaAuthorizerOptions {
  callsDir: string;
  /**
   * The WebSocket API's authorizer, whose identity source is the `token` query parameter: the
   * function reads `Authorization` first, so it is not shown that header (as the reference's
   * WebSocket API does not show it), and a token in the header stays no token at all.
   */
  queryTokenOnly?: boolean;
}

/** The fields of the authorizer events (TOKEN or REQUEST, payload 1.0) the reference function reads. */
interface LambdaAuthorizerEvent {
  type?: string;
  authorizationToken?: string;
  methodArn?: string;
  headers?: Record<string, string> | null;
  queryStringParameters?: Record<string, string> | null;
}

export function lambdaAuthorizer(
  options: LambdaAuthorizerOptions,
): (event: LambdaAuthorizerEvent) => Promise<AuthorizerResult> {
  const fn = createReferenceAuthorizerFunction(sharedCounter(options.callsDir));
  return (event) => fn(referenceEvent(event, options.queryTokenOnly === true));
}

function referenceEvent(event: LambdaAuthorizerEvent, queryTokenOnly: boolean): AuthorizerEvent {
  const methodArn = event.methodArn ?? '';
  if (event.type !== 'REQUEST') {
    return { type: 'TOKEN', authorizationToken: event.authorizationToken ?? '', methodArn };
  }
  return {
    type: 'REQUEST',
    methodArn,
    resource: '',
    path: '',
    httpMethod: '',
    headers: queryTokenOnly ? withoutAuthorization(event.headers ?? {}) : (event.headers ?? {}),
    queryStringParameters: event.queryStringParameters ?? {},
    pathParameters: {},
    stageVariables: {},
    requestContext: { requestId: '', stage: '', resourcePath: '', httpMethod: '', path: '' },
  };
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
}

/** Call numbers 1, 2, 3...: the directory `calls/N` exists once N is taken, whoever took it. */
function sharedCounter(dir: string): () => number {
  let next = readdirSync(dir).length + 1;
  return () => {
    for (; ; next++) {
      try {
        mkdirSync(join(dir, String(next)));
        return next++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  };
}
