/** One of Stryker's mutants, located in the TypeScript source it was made from (lines from 1). */
export interface MutantInfo {
  id: string;
  file: string;
  line: number;
  mutator: string;
  original: string;
  replacement: string;
  /** Among mutants of its file alike in all the above, which one (from 0, in Stryker's order). */
  nth?: number;
}

/** A mutant's name that survives edits elsewhere in its file (no line, no Stryker id). */
export function mutantKey(
  m: Pick<MutantInfo, 'file' | 'mutator' | 'original' | 'replacement' | 'nth'>,
): string {
  return `${m.file} ${m.mutator} ${m.original} → ${m.replacement}${m.nth ? ` #${m.nth + 1}` : ''}`;
}

const fold = (code: string) => {
  const line = code.replace(/\s+/g, ' ');
  return line.length > 70 ? `${line.slice(0, 67)}...` : line;
};

/** `src/reference/quota.ts:27 EqualityOperator  now < end → now <= end`, on one line. */
export function describeMutant(m: MutantInfo): string {
  return `${m.file}:${m.line} ${m.mutator}  ${fold(m.original)} → ${fold(m.replacement)}`;
}
