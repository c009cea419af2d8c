import { stripVTControlCharacters } from 'node:util';
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { EventWriter } from '../results/events.js';
import type { CaseResult, Evidence } from '../results/model.js';
import { createRedactor } from '../results/redact.js';
import { CASE_ANNOTATION, CASE_FAILURE, type CaseMeta, EVIDENCE_ATTACHMENT } from './case-meta.js';
import { caseStatus } from './case-status.js';
import { ENV } from './run-env.js';

/**
 * Streams one `case` event per finished test into events.ndjson, so a run that dies mid-way
 * keeps every case already decided. Tests written without gateCase() still count: their id is
 * derived from the file and title.
 */
export default class GateproofReporter implements Reporter {
  readonly #events: EventWriter;

  constructor() {
    const file = process.env[ENV.eventsFile];
    if (!file) throw new Error(`${ENV.eventsFile} is not set: run suites through \`gateproof run\``);
    this.#events = new EventWriter(file);
  }

  printsToStdio(): boolean {
    return true;
  }

  /** The planned cases go first, so that a run cut short can list the ones that never ran. */
  onBegin(_config: unknown, suite: { allTests(): TestCase[] }): void {
    const tests = suite.allTests();
    const cases = tests.map((test) => {
      const { id, level } = caseMeta(test);
      return { id, suite: suiteOf(id), level };
    });
    this.#events.write({ type: 'case-plan', cases });
    if (!QUIET) process.stdout.write(`gateproof: ${tests.length} cases\n`);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // A retried test reports each attempt; only the last one is the case's result.
    if (result.status !== 'passed' && result.status !== 'skipped' && result.retry < test.retries) return;
    // A case cut by Ctrl-C did not run to its end: it is listed as not run, not as a result.
    if (result.status === 'interrupted') return;
    const meta = caseMeta(test);
    const annotations = [...(result.annotations ?? []), ...test.annotations];
    const recorded = annotations.find((a) => a.type === CASE_FAILURE)?.description;
    const outcome = recorded !== undefined && result.status === 'passed' ? 'failed' : result.status;
    const errors = [
      ...(recorded === undefined ? [] : [recorded]),
      ...result.errors.map((e) => e.message ?? e.value ?? ''),
    ];
    const message = errors.map(caseMessage).find(Boolean);
    const skipReason = annotations.find((a) => a.type === 'skip')?.description;
    const status = caseStatus(outcome, meta.level, message);
    const entry: CaseResult = {
      id: meta.id,
      suite: suiteOf(meta.id),
      title: meta.title,
      level: meta.level,
      status,
      durationMs: result.duration,
      ...(status === 'skip' && skipReason ? { message: skipReason } : {}),
      ...(status !== 'pass' && status !== 'skip' && message ? { message } : {}),
      ...(meta.features[0] ? { feature: meta.features.join(',') } : {}),
      evidence: evidenceOf(result),
      refs: meta.refs,
    };
    this.#events.write({ type: 'case', case: entry });
    const why = entry.message ? `  ${redactConsole(entry.message)}` : '';
    // Quiet: only what did not pass, so a CI log shows the problems and nothing else.
    if (QUIET && (status === 'pass' || status === 'skip')) return;
    process.stdout.write(`${MARK[status]} ${status.padEnd(13)} ${entry.id}${status === 'pass' ? '' : why}\n`);
  }
}

/** Credentials gateproof was never told about (a URL's userinfo, a token) never reach the console. */
const redactConsole = createRedactor([]);
const QUIET = process.env[ENV.quiet] === '1';

const MARK: Record<CaseResult['status'], string> = {
  pass: '✓',
  fail: '✗',
  optional_fail: '~',
  skip: '-',
  setup_fail: '!',
  harness_fail: '!',
};

const suiteOf = (id: string) => id.split('.')[0] ?? 'custom';

function caseMeta(test: TestCase): CaseMeta {
  const annotation = test.annotations.find((a) => a.type === CASE_ANNOTATION);
  if (annotation?.description) return JSON.parse(annotation.description) as CaseMeta;
  const file =
    test.location.file
      .split(/[\\/]/)
      .pop()
      ?.replace(/\.spec\.[cm]?[jt]s$/, '') ?? 'custom';
  return {
    id: `${slug(file)}.custom.${slug(test.title)}`,
    title: test.title,
    level: 'core',
    features: [],
    refs: [],
  };
}

function evidenceOf(result: TestResult): Evidence[] {
  const attachment = result.attachments.find((a) => a.name === EVIDENCE_ATTACHMENT);
  if (!attachment?.body) return [];
  return JSON.parse(attachment.body.toString('utf8')) as Evidence[];
}

/**
 * A case message is one line: the assertion's own message plus Playwright's Expected/Received
 * lines, without colours or diffs.
 */
function caseMessage(text: string): string {
  const lines = stripVTControlCharacters(text)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const head = (lines[0] ?? '').replace(/^Error: /, '');
  const detail = lines.filter((l) => /^(Expected|Received)\b/.test(l)).slice(0, 2);
  return [head, ...detail].join('; ').slice(0, 500);
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'case'
  );
}
