import { statSync } from 'node:fs';
import { UsageError } from '../usage-error.js';
import { POINT_METRICS, type Point } from './k6-points.js';
import { type RunnerSummary, readSummary, summaryFormat } from './k6-summary.js';
import { readLines } from './read-lines.js';

/** A summary is a few kilobytes; anything far larger that is not `--out json` lines is not k6's. */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
const WANTED = POINT_METRICS.map((name) => `"${name}"`);
const FORMATS = "a handleSummary JSON, a --summary-export JSON or k6's --out json lines";

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A Point line (k6 v0.x through 1.x): `{"type":"Point","metric":NAME,"data":{"time":RFC3339,"value":N,"tags":{...}}}`. */
function toPoint(line: unknown): Point | undefined {
  if (!isObject(line) || line.type !== 'Point' || typeof line.metric !== 'string') return undefined;
  const data = line.data;
  if (!isObject(data)) return undefined;
  const timeMs = typeof data.time === 'string' ? Date.parse(data.time) : Number.NaN;
  if (!Number.isFinite(timeMs) || typeof data.value !== 'number') return undefined;
  const tags: Record<string, string> = {};
  if (isObject(data.tags)) for (const [k, v] of Object.entries(data.tags)) tags[k] = String(v);
  return { metric: line.metric, timeMs, value: data.value, tags };
}

/**
 * Reads one k6 output file, whichever of k6's formats it is (gzip or not). `--out json` points go
 * to `onPoint` as they stream by, and only those of the metrics ingest uses are parsed; a summary
 * is returned. Bad input is a UsageError naming the file (and line).
 */
export async function readInput(
  file: string,
  onPoint: (point: Point, line: number) => void,
): Promise<RunnerSummary | 'points'> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(`${file}: cannot be read`);
  }
  if (size === 0) throw new UsageError(`${file}: empty`);
  let mode: 'unknown' | 'points' | 'document' = 'unknown';
  const document: string[] = [];
  let documentBytes = 0;
  let n = 0;
  try {
    for await (const line of readLines(file)) {
      n++;
      if (mode === 'document') {
        documentBytes += line.length + 1;
        if (documentBytes > MAX_DOCUMENT_BYTES)
          throw new UsageError(`${file}: not a k6 output (expected ${FORMATS})`);
        document.push(line);
        continue;
      }
      if (line.trim() === '') continue;
      if (mode === 'unknown') {
        const first = parseJson(line);
        if (isObject(first) && (first.type === 'Metric' || first.type === 'Point')) {
          mode = 'points';
        } else {
          mode = 'document';
          document.push(line);
          documentBytes = line.length + 1;
          continue;
        }
      }
      if (!WANTED.some((name) => line.includes(name))) continue;
      const parsed = parseJson(line);
      if (parsed === undefined) throw new UsageError(`${file}:${n}: not JSON`);
      if (!isObject(parsed) || parsed.type !== 'Point' || !POINT_METRICS.includes(String(parsed.metric)))
        continue;
      const point = toPoint(parsed);
      if (!point) throw new UsageError(`${file}:${n}: a k6 Point without a time and a numeric value`);
      onPoint(point, n);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${file}: cannot be read (${(err as Error).message})`);
  }
  if (mode === 'unknown') throw new UsageError(`${file}: empty`);
  if (mode === 'points') return 'points';
  const doc = parseJson(document.join('\n'));
  if (doc === undefined) throw new UsageError(`${file}: not JSON (expected ${FORMATS})`);
  const format = summaryFormat(doc);
  if (!format) throw new UsageError(`${file}: not a k6 output (expected ${FORMATS})`);
  return readSummary(file, doc as Record<string, unknown>, format);
}
