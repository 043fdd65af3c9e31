// `carbon run`: a job of a generated config, rehearsed on this machine.
import { homedir } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { UserError } from '../errors.ts';
import type { RunRequest } from '../run/run.ts';
import type { CommandContext } from './context.ts';
import { EXIT } from './io.ts';
import { report } from './report.ts';

export async function runJob({ root, positionals, options, io }: CommandContext): Promise<number> {
  const [target, workflow] = positionals;
  const text = (name: string) => options[name] as string | undefined;
  const request: RunRequest = {
    root,
    target: target!,
    ...(workflow !== undefined ? { workflow } : {}),
    params: (options['param'] as string[] | undefined) ?? [],
    ...(text('job') ? { job: text('job')! } : {}),
    ...(text('branch') ? { branch: text('branch')! } : {}),
    ...(text('commit') ? { commit: text('commit')! } : {}),
    ...(text('workdir') ? { workdir: resolvePath(io.cwd, text('workdir')!) } : {}),
    keep: options['keep'] === true,
    env: io.env,
    out: io.out,
  };
  const { describeJob, prepareRun, runPrepared } = await import('../run/run.ts');
  const { ProcessError } = await import('../run/process.ts');
  let prepared;
  try {
    prepared = await prepareRun(request);
  } catch (caught) {
    if (caught instanceof ProcessError) throw new UserError(caught.message);
    throw caught;
  }
  report(prepared.diagnostics, root, io);
  if (options['dry-run'] === true) {
    io.out(describeJob(prepared, io.env['HOME'] ?? homedir()));
    return EXIT.ok;
  }
  return (await runPrepared(prepared, request)).code;
}
