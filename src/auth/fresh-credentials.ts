import { randomBytes } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** An access key id as AWS shapes them: a four-letter prefix and 16 upper-case letters or digits. */
export function accessKeyId(prefix: 'AKIA' | 'ASIA' = 'AKIA'): string {
  return prefix + [...randomBytes(16)].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
}

/** A secret access key of AWS's length (40 characters). */
export const secretAccessKey = (): string => randomBytes(30).toString('base64');

/** Long-term SigV4 credentials made for one start of a gateway, for a caller it knows only by these. */
export function freshCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: accessKeyId(), secretAccessKey: secretAccessKey() };
}
