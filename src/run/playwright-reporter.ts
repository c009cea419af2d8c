import { stripVTControlCharacters } from 'node:util';
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { EventWriter } from '../results/events.js';
import type { CaseResult, Evidence } from '../results/model.js';
import { createRedactor } from '../results/redact.js';
import { CASE_ANNOTATION, CASE_FAILURE, type CaseMeta, EVIDENCE_ATTACHMENT } from './case-meta.js';
import { caseStatus } from './case-status.js';
import { ENV, projectTarget } from './run-env.js';

/**
 * Streams one `case` event per finished test into its target's events.ndjson, so a run that dies
 * mid-way keeps every case already decided. Tests written without gateCase() still count: their
 * id is derived from the file and title.
 */
export default class GateproofReporter implements Reporter {
  /** One writer per target's events file: a session may test several targets. */
  readonly #events = new Map<string, EventWriter>();

  #writer(test: TestCase): EventWriter {
    const project = test.parent.project();
    const file = project && projectTarget(project)?.eventsFile;
    if (!file) throw new Error(`${test.title}: not in a project of \`gateproof run\``);
    const writer = this.#events.get(file) ?? new EventWriter(file);
    this.#events.set(file, writer);
    return writer;
  }

  printsToStdio(): boolean {
    return true;
  }

  /** The planned cases go first, so that a run cut short can list the ones that never ran. */
  onBegin(_config: unknown, suite: { allTests(): TestCase[] }): void {
    const tests = suite.allTests();
    const plans = new Map<EventWriter, { id: string; suite: string; level: CaseResult['level'] }[]>();
    for (const test of tests) {
      const { id, level } = caseMeta(test);
      const writer = this.#writer(test);
      const cases = plans.get(writer) ?? [];
      cases.push({ id, suite: suiteOf(id), level });
      plans.set(writer, cases);
    }
    for (const [writer, cases] of plans) writer.write({ type: 'case-plan', cases });
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
    this.#writer(test).write({ type: 'case', case: entry });
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
