import { createHash } from 'node:crypto';
import { type MutantInfo, mutantKey } from './mutant.js';

/**
 * A seeded order that depends on neither Stryker's numbering nor line numbers, so a sample
 * survives edits elsewhere in the file (identical mutants are told apart by `nth`).
 */
function ranked(seed: number, list: readonly MutantInfo[]): MutantInfo[] {
  return list
    .map((m) => ({
      m,
      r: createHash('sha256')
        .update(`${seed}\0${mutantKey({ ...m, nth: 0 })}\0${m.nth ?? 0}`)
        .digest('hex'),
    }))
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
