// `carbon run`: a job of a generated config, rehearsed on this machine.
import { homedir } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { UserError } from '../errors.ts';
import type { RunRequest } from '../run/run.ts';
import type { CommandContext } from './context.ts';
import type { RUN_OPTIONS } from './options.ts';
import { EXIT } from './io.ts';
import { report } from './report.ts';

export async function runJob(context: CommandContext<typeof RUN_OPTIONS>): Promise<number> {
  const { root, positionals, options, io } = context;
  const [target, workflow] = positionals;
  const { job, branch, commit, workdir } = options;
  const request: RunRequest = {
    root,
    target: target!,
    ...(workflow !== undefined ? { workflow } : {}),
    params: options.param ?? [],
    ...(job ? { job } : {}),
    ...(branch ? { branch } : {}),
    ...(commit ? { commit } : {}),
    ...(workdir ? { workdir: resolvePath(io.cwd, workdir) } : {}),
    keep: options.keep === true,
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
  if (options['dry-run']) {
    io.out(describeJob(prepared, io.env['HOME'] ?? homedir()));
    return EXIT.ok;
  }
  return (await runPrepared(prepared, request)).code;
}
