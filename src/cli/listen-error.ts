import { UsageError } from '../usage-error.js';

/** A port that cannot be listened on is the user's choice to fix: one line, exit code 2. */
export function explainListenError(
  err: unknown,
  what: string,
  host: string,
  port: number | undefined,
): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port ?? 0}`;
  if (code === 'EADDRINUSE')
    return new UsageError(`${what}: ${where} is already in use; choose another port`);
  if (code === 'EACCES') return new UsageError(`${what}: no permission to listen on ${where}`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new UsageError(`${what}: ${host} is not an address of this machine`);
  }
  return err;
}
