import { Command } from 'commander';
import { diagnose } from '../target/doctor.js';
import { type OpenTarget, openTarget } from '../target/open-target.js';
import { UsageError } from '../usage-error.js';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check a target profile against the live gateway and probe before a run')
    .requiredOption('--target <FILE.yaml>', 'the target profile (or reference, nginx)')
    .action(async (opts: { target: string }) => {
      let target: OpenTarget;
      try {
        target = await openTarget(opts.target);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stdout.write(`✗ ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      try {
        const findings = await diagnose(target.profile);
        for (const f of findings) process.stdout.write(`${f.ok ? '✓' : '✗'} ${f.message}\n`);
        const problems = findings.filter((f) => !f.ok).length;
        process.stdout.write(
          problems
            ? `gateproof doctor: ${problems} problem${problems > 1 ? 's' : ''}\n`
            : 'gateproof doctor: ready to run\n',
        );
        process.exitCode = problems ? 2 : 0;
      } finally {
        await target.close();
      }
    });
}
