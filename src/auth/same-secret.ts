import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares in constant time whatever the lengths, so a caller cannot guess a secret byte by byte. */
export function sameSecret(given: string, secret: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(secret));
}
