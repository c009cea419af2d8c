import { rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { UsageError } from '../usage-error.js';
import { loadProfile } from './load-profile.js';
import { type Profile, profileSchema } from './profile-schema.js';

/**
 * The runner resolves a target once (starting it when gateproof owns it) and hands the result to
 * the Playwright workers over a unix socket in its private directory: the profile, secrets
 * included, is never written to a file, so no exit (SIGKILL included) can leave it on disk, and
 * it is not in the environment every descendant (and /proc) could read.
 */
export interface ServedTarget {
  socket: string;
  close(): Promise<void>;
}

/** The resolved profile as JSON, larger than any valid one: a peer sending more is not gateproof. */
const MAX_PROFILE_JSON = 16 * 1024 * 1024;

export async function serveResolvedTarget(socket: string, profile: Profile): Promise<ServedTarget> {
  const json = JSON.stringify(profile);
  const server = createServer((connection) => connection.end(json));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });
  return {
    socket,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(socket, { force: true });
      }),
  };
}

/** The target a runner serves on `socket`; without one, the profile file the environment names. */
export async function readResolvedTarget(
  socket: string | undefined,
  env: NodeJS.ProcessEnv,
  names: { profileFile: string },
): Promise<Profile> {
  if (socket) return profileSchema.parse(JSON.parse(await fetchResolvedTarget(socket)));
  const profileFile = env[names.profileFile];
  if (profileFile) {
    const profile = loadProfile(profileFile, env);
    if (profile.kind !== 'url') {
      throw new UsageError(
        `${profileFile}: kind ${profile.kind} is started by \`gateproof run\`, not by playwright`,
      );
    }
    return profile;
  }
  throw new UsageError(`no target: set ${names.profileFile}=FILE.yaml or run through \`gateproof run\``);
}

function fetchResolvedTarget(socket: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const connection = connect(socket);
    connection.setTimeout(10_000, () =>
      connection.destroy(new Error('the runner did not hand over the target')),
    );
    connection.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_PROFILE_JSON) connection.destroy(new Error('the resolved target is too large'));
      else chunks.push(chunk);
    });
    connection.on('error', reject);
    connection.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
