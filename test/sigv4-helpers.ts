import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { SignedRequest } from '../src/auth/sigv4-sign.js';
import type { SignedRequestInput } from '../src/reference/sigv4-verifier.js';
import { REPO } from './helpers/cli.js';

/** The AWS SigV4 test suite beside the clone (as in CI), else the copy kept in the repo. */
export const SHARED_VECTORS = resolve(REPO, '..', 'shared', 'vectors', 'sigv4');
export const FIXTURE_VECTORS = resolve(REPO, 'test', 'fixtures', 'sigv4');
export const VECTORS_DIR = existsSync(SHARED_VECTORS) ? SHARED_VECTORS : FIXTURE_VECTORS;

/** The fixed inputs of every case (the suite's README). */
export const VECTOR = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'service',
  date: new Date(Date.UTC(2015, 7, 30, 12, 36, 0)),
} as const;

export interface RawRequest {
  method: string;
  /** From the request line, exactly as written (the suite writes paths unencoded). */
  path: string;
  query: string;
  /** Names as written; a repeated or folded header holds each of its values. */
  headers: Record<string, string[]>;
  body: string;
}

export interface VectorCase {
  /** Folder relative to the suite's root, `normalize-path/get-space`. */
  name: string;
  req: RawRequest;
  sreq: RawRequest;
  creq: string;
  sts: string;
  authz: string;
}

/**
 * A `.req` / `.sreq` file: bare `\n` line endings, a request line whose path may hold spaces, headers
 * with or without a space after the colon, and folded lines that continue the header above as
 * another value (the suite's canonical form joins them with `,`).
 */
export function parseRequestFile(text: string): RawRequest {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const body = blank < 0 ? '' : text.slice(blank + 2);
  const [requestLine = '', ...lines] = head.split('\n');
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(' '));
  const question = target.indexOf('?');
  const headers: Record<string, string[]> = {};
  let last: string[] | undefined;
  for (const line of lines) {
    if (/^\s/.test(line) && last) {
      last.push(line.trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    last = headers[name] ??= [];
    last.push(line.slice(colon + 1).trim());
  }
  return {
    method,
    path: question < 0 ? target : target.slice(0, question),
    query: question < 0 ? '' : target.slice(question + 1),
    headers,
    body,
  };
}

function caseFolders(dir: string): string[] {
  const files = readdirSync(dir);
  if (files.some((f) => f.endsWith('.req'))) return [dir];
  return files
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isDirectory())
    .flatMap(caseFolders);
}

export function loadVectors(root: string = VECTORS_DIR): VectorCase[] {
  return caseFolders(root)
    .sort()
    .map((dir) => {
      const base = dir.split('/').pop()!;
      const read = (ext: string) => readFileSync(join(dir, `${base}.${ext}`), 'utf8');
      return {
        name: relative(root, dir),
        req: parseRequestFile(read('req')),
        sreq: parseRequestFile(read('sreq')),
        creq: read('creq'),
        sts: read('sts'),
        authz: read('authz'),
      };
    });
}

export function rawToInput(raw: RawRequest): SignedRequestInput {
  return {
    method: raw.method,
    path: raw.path,
    query: raw.query,
    headers: raw.headers,
    body: Buffer.from(raw.body),
  };
}

/** A signed request as the gateway would receive it: path and query from the URL as sent. */
export function signedToInput(signed: SignedRequest): SignedRequestInput {
  const target = signed.url.replace(/^[a-z]+:\/\/[^/?#]+/i, '');
  const question = target.indexOf('?');
  return {
    method: signed.method,
    path: question < 0 ? target : target.slice(0, question),
    query: question < 0 ? '' : target.slice(question + 1),
    headers: signed.headers,
    body: Buffer.from(signed.body ?? ''),
  };
}
