import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cutEvidenceBodies } from './cut-bodies.js';
import { eventSchema, type RunEvent } from './model.js';
import { createRedactor, type Redactor, redactEvidence } from './redact.js';

/**
 * Appends run events to events.ndjson, one JSON line each, synchronously: when the process dies,
 * every event already written is on disk. Evidence is redacted on the way in, so no secret the
 * writer was told about (nor any generic credential pattern) ever reaches the file, and bodies
 * over EVIDENCE_BODY_LIMIT are cut (their length and hash kept).
 */
export class EventWriter {
  readonly file: string;
  readonly #fd: number;
  readonly #redact: Redactor;

  constructor(file: string, secrets: readonly string[] = []) {
    mkdirSync(dirname(file), { recursive: true });
    this.file = file;
    this.#fd = openSync(file, 'a');
    this.#redact = createRedactor(secrets);
  }

  write(event: RunEvent): void {
    appendFileSync(this.#fd, `${JSON.stringify(this.#prepare(event))}\n`);
  }

  close(): void {
    closeSync(this.#fd);
  }

  #prepare(event: RunEvent): RunEvent {
    const at = new Date().toISOString();
    if (event.type === 'case') {
      const evidence = event.case.evidence.map((e) => cutEvidenceBodies(redactEvidence(e, this.#redact)));
      const message = event.case.message === undefined ? {} : { message: this.#redact(event.case.message) };
      return { at, ...event, case: { ...event.case, ...message, evidence } };
    }
    if (event.type === 'scenario' || event.type === 'scenario-skip') return { at, ...event };
    return event;
  }
}

/**
 * Reads events.ndjson. A last line cut short by a crash is dropped; any other bad line is an error
 * naming its line number.
 */
export function readEvents(file: string): RunEvent[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const events: RunEvent[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const last = index === lines.length - 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      if (last) break;
      throw new Error(`${file}:${index + 1}: not a JSON line`);
    }
    const parsed = eventSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}:${index + 1}: ${issue?.path.join('.') || 'event'}: ${issue?.message}`);
    }
    events.push(parsed.data);
  }
  return events;
}
