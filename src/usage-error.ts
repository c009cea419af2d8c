/**
 * Bad input from the person running gateproof: shown as one line, exit code 2, never a stack
 * trace. Anything else that escapes is a bug in gateproof.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
