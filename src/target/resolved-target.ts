import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from '../usage-error.js';
import { loadProfile } from './load-profile.js';
import { type Profile, profileSchema } from './profile-schema.js';

/**
 * The runner resolves a target once (starting it when gateproof owns it) and hands the result to
 * the Playwright workers through a private file; workers never start or stop targets.
 */
export function writeResolvedTarget(file: string, profile: Profile): void {
  writeFileSync(file, JSON.stringify(profile), { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function readResolvedTarget(
  env: NodeJS.ProcessEnv,
  names: { targetFile: string; profileFile: string },
): Profile {
  const resolved = env[names.targetFile];
  if (resolved) return profileSchema.parse(JSON.parse(readFileSync(resolved, 'utf8')));
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
