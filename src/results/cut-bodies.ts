import { createHash } from 'node:crypto';
import type { Evidence } from './model.js';

/**
 * Evidence bodies longer than this many characters keep only their start; their full length and
 * SHA-256 are kept beside it. Judging a case after the fact needs what the body began with and
 * whether it was the same body, never megabytes of it.
 */
export const EVIDENCE_BODY_LIMIT = 8192;

type Exchange = NonNullable<Evidence['request'] | Evidence['response']>;

function cut<T extends Exchange>(exchange: T): T {
  const body = exchange.body;
  if (body === undefined || body.length <= EVIDENCE_BODY_LIMIT || exchange.bodyCut) return exchange;
  // A response read bounded carries its whole length and hash already: the text is only its start.
  const read = exchange as { bodyBytes?: number; bodySha256?: string };
  const bytes = Buffer.from(body, 'utf8');
  const whole =
    read.bodyBytes !== undefined && read.bodySha256 !== undefined
      ? { bytes: read.bodyBytes, sha256: read.bodySha256 }
      : { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  return {
    ...exchange,
    body: body.slice(0, EVIDENCE_BODY_LIMIT),
    bodyCut: { ...whole, keptChars: EVIDENCE_BODY_LIMIT },
  };
}

/** The evidence with every oversized body cut; evidence already cut is left as it is. */
export function cutEvidenceBodies(evidence: Evidence): Evidence {
  return {
    ...evidence,
    ...(evidence.request && { request: cut(evidence.request) }),
    ...(evidence.response && { response: cut(evidence.response) }),
  };
}
