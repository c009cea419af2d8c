/** A promise the reference gateway breaks on purpose, and the cases that must catch it. */
export interface Fault {
  name: string;
  description: string;
  /** Case ids that must fail under this fault, and only these. */
  breaks: readonly string[];
}
