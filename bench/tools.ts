import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { runLoad } from '../src/load/engine.js';

export interface PeakOptions {
  url: string;
  connections: number;
  pipelining: number;
  seconds: number;
  /** A directory for wrk's pipelining script. */
  scratch: string;
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} failed: ${stderr.trim().split('\n').at(-1) ?? err.message}`));
      else resolve(stdout);
    });
  });
}

/** The engine's closed loop: one request in flight per VU, VUs = connections × pipelining. */
export async function enginePeak(o: PeakOptions): Promise<number> {
  const spec = { method: 'GET', path: '/', headers: {} };
  const result = await runLoad({
    origin: o.url,
    scenario: {
      id: 'peak',
      title: 'peak rate',
      kind: 'latency',
      load: { executor: 'constant-vus', vus: o.connections * o.pipelining, duration: `${o.seconds}s` },
      requests: [{ route: 'open' }],
    },
    requests: { specs: [spec] },
    limits: { maxDurationS: o.seconds + 10, maxRequests: 100_000_000 },
    connections: o.connections,
    pipelining: o.pipelining,
  });
  return result.totals.responses / result.durationS;
}

/** autocannon as its users run it: its own CLI, in a process of its own. */
export async function autocannonPeak(o: PeakOptions): Promise<number> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const out = await run(
    process.execPath,
    [bin, '-c', String(o.connections), '-p', String(o.pipelining), '-d', String(o.seconds), '-j', o.url],
    (o.seconds + 30) * 1000,
  );
  const report = JSON.parse(out) as { requests: { total: number }; duration: number };
  return report.requests.total / report.duration;
}

/** wrk with one thread; pipelining through the Lua script wrk's own examples use. */
export async function wrkPeak(o: PeakOptions): Promise<number> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.seconds}s`];
  if (o.pipelining > 1) {
    const script = join(o.scratch, `pipeline-${o.pipelining}.lua`);
    writeFileSync(
      script,
      `init = function(args)
  local r = {}
  for i = 1, ${o.pipelining} do r[i] = wrk.format(nil) end
  req = table.concat(r)
end
request = function() return req end
`,
    );
    args.push('-s', script);
  }
  const out = await run('/usr/bin/wrk', [...args, `${o.url}/`], (o.seconds + 30) * 1000);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  if (!rate) throw new Error(`wrk printed no Requests/sec: ${out.trim().split('\n').at(-1)}`);
  return Number(rate);
}
