import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * k6 `--out json` points of a throttle-steady run against a known token bucket: arrivals at three
 * times the rate for 3 s from two runners (alternate arrivals each), answered 200 while the bucket
 * holds a token and 429 otherwise, each point stamped when its request ended. Returns the files.
 */
export function bucketPoints(dir: string, bucket: { rate: number; burst: number }): string[] {
  const { rate, burst } = bucket;
  const offered = 3 * rate;
  let tokens = burst;
  let last = 0;
  const start = Date.parse('2026-03-02T10:15:00Z');
  const lines: string[][] = [[], []];
  for (let i = 0; i < 3 * offered; i++) {
    const sentMs = (i * 1000) / offered + ((i * 7919) % 13) / 10;
    tokens = Math.min(burst, tokens + ((sentMs - last) * rate) / 1000);
    last = sentMs;
    const admitted = tokens >= 1;
    if (admitted) tokens -= 1;
    const durationMs = admitted ? 4 + (i % 5) : 1 + (i % 3) / 2;
    const time = new Date(start + sentMs + durationMs).toISOString();
    const tags = {
      scenario: 'throttle-steady',
      status: admitted ? '200' : '429',
      key: 'valid',
      url: 'https://gw.example.com/prod/throttled',
    };
    for (const [metric, value] of [
      ['http_req_duration', durationMs],
      ['http_req_failed', 0],
    ] as const) {
      lines[i % 2]!.push(JSON.stringify({ metric, type: 'Point', data: { time, value, tags } }));
    }
  }
  return lines.map((runner, i) => {
    const file = join(dir, `bucket-runner-${i}.json`);
    writeFileSync(file, `${runner.join('\n')}\n`);
    return file;
  });
}
