import { randomBytes } from 'node:crypto';
import type { Profile } from './profile-schema.js';

const QUOTA_KEYS = 10;
const ALPHANUMERIC = /^[A-Za-z0-9]+$/;

/** A full set of keys made for one start of a gateway, so no run sees another's quota. */
export function freshKeys(): NonNullable<Profile['apiKeys']> {
  return {
    valid: secretValue(),
    other: secretValue(),
    disabled: secretValue(),
    otherStage: secretValue(),
    quota: Array.from({ length: QUOTA_KEYS }, secretValue),
    quotaPair: [secretValue(), secretValue()],
  };
}

/**
 * 40 letters and digits holding both cases, so a wrongly-cased copy of a key is a different key
 * (the quota and header cases rely on it).
 */
export function secretValue(): string {
  for (;;) {
    const value = randomBytes(40).toString('base64').replace(/[+/=]/g, '').slice(0, 40);
    if (value.length === 40 && ALPHANUMERIC.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value)) {
      return value;
    }
  }
}
