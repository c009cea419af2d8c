import { createHash } from 'node:crypto';
import { type MutantInfo, mutantKey } from './mutant.js';

/** Where a file declares its faults (`export const JWT_FAULTS = [ ... ] as const ...`): first and last line. */
export function faultCatalogueLines(source: string): [number, number][] {
  const lines = source.split('\n');
  const ranges: [number, number][] = [];
  lines.forEach((line, i) => {
    if (!/^export const \w*FAULTS\b/.test(line)) return;
    const end = lines.findIndex((l, j) => j > i && /^\] as const/.test(l));
    ranges.push([i + 1, end < 0 ? lines.length : end + 1]);
  });
  return ranges;
}

/**
 * Mutants of the fault switch (`fault === 'quota-off-by-one'`, a fault's name, the catalogue of
 * faults) are the fault machinery's own code, proved by the fault test; without a fault they
 * change nothing on the wire.
 */
export function touchesFaults(
  m: MutantInfo,
  faultNames: ReadonlySet<string>,
  catalogue: readonly (readonly [number, number])[],
): boolean {
  if (catalogue.some(([from, to]) => m.line >= from && m.line <= to)) return true;
  if (/\bfault\b/.test(m.original) && !m.original.includes('\n')) return true;
  const literal = /^(['"`])(.*)\1$/s.exec(m.original);
  return literal !== null && faultNames.has(literal[2] as string);
}

/**
 * A seeded order that depends on neither Stryker's numbering nor line numbers, so a sample
 * survives edits elsewhere in the file: identical mutants are told apart by their order in it.
 */
function ranked(seed: number, list: readonly MutantInfo[]): MutantInfo[] {
  const seen = new Map<string, number>();
  return list
    .map((m) => {
      const key = mutantKey(m);
      const nth = seen.get(key) ?? 0;
      seen.set(key, nth + 1);
      return { m, r: createHash('sha256').update(`${seed}\0${key}\0${nth}`).digest('hex') };
    })
    .sort((a, b) => a.r.localeCompare(b.r))
    .map(({ m }) => m);
}

/**
 * `size` mutants, stratified by file: each file gets its share of the sample in proportion to its
 * mutants (rounded by largest remainders), and within a file the seed picks which.
 */
export function sampleMutants(mutants: readonly MutantInfo[], size: number, seed: number): MutantInfo[] {
  if (size >= mutants.length) return [...mutants];
  const byFile = new Map<string, MutantInfo[]>();
  for (const m of mutants) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m]);
  const quotas = [...byFile].map(([file, list]) => {
    const exact = (list.length * size) / mutants.length;
    return { file, list, take: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = size - quotas.reduce((sum, q) => sum + q.take, 0);
  for (const q of [...quotas].sort((a, b) => b.remainder - a.remainder || a.file.localeCompare(b.file))) {
    if (left <= 0) break;
    if (q.take < q.list.length) {
      q.take++;
      left--;
    }
  }
  return quotas.flatMap((q) => ranked(seed, q.list).slice(0, q.take));
}
