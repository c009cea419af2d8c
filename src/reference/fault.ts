/** A promise the reference gateway breaks on purpose, and the cases that must catch it. */
export interface Fault {
  name: string;
  description: string;
  /** Case ids that must fail under this fault, and only these. */
  breaks: readonly string[];
  /**
   * Load scenarios that must fail under this fault, and only these among the scenarios of their
   * kind: for a promise only traffic shows (a bucket's rate or burst), which no case can catch.
   */
  scenarios?: readonly string[];
}
