/** What one `gateproof run` said: its exit code and each case's and scenario's status. */
export interface RunOutcome {
  exitCode: number | null;
  timedOut: boolean;
  /** Undefined when the run wrote no results.json. */
  statuses?: Readonly<Record<string, string>>;
}

export type Verdict =
  | { killed: true; by: 'timeout' | 'exit' | 'cases'; detail: string }
  | { killed: false; detail: string };

/**
 * A mutant is killed when its run differs from the unmutated baseline: a case or scenario with
 * another status, another exit code, no results at all, or a run past its time limit.
 */
export function classify(baseline: RunOutcome, mutant: RunOutcome): Verdict {
  if (mutant.timedOut) return { killed: true, by: 'timeout', detail: 'run exceeded its time limit' };
  const before = baseline.statuses ?? {};
  const after = mutant.statuses;
  if (after) {
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((id) => before[id] !== after[id])
      .sort();
    if (changed.length)
      return {
        killed: true,
        by: 'cases',
        detail: changed.map((id) => `${id} ${before[id] ?? 'absent'}→${after[id] ?? 'absent'}`).join(', '),
      };
  }
  if (mutant.exitCode !== baseline.exitCode || !after)
    return { killed: true, by: 'exit', detail: `exit ${mutant.exitCode}${after ? '' : ', no results.json'}` };
  return { killed: false, detail: 'every case as in the baseline' };
}
