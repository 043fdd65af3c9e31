// generate, check and validate: the compiler's commands.
import { runPipeline, type PipelineResult } from '../pipeline.ts';
import { findSchema } from '../validate/schema.ts';
import type { CommandContext } from './commands.ts';
import { EXIT } from './io.ts';
import { plural, reportBlockers, reportConsole, reportProblems } from './report.ts';

function pipeline(context: CommandContext, write: boolean): Promise<PipelineResult> {
  const { root, options, io } = context;
  const schemaPath = findSchema(options['schema'] as string | undefined, io.env, io.cwd);
  return runPipeline({ root, schemaPath, write, env: io.env }).then((result) => {
    reportConsole(result.console, io);
    return context.stages.of(result);
  });
}

export async function generate(context: CommandContext): Promise<number> {
  const { root, io } = context;
  const result = await pipeline(context, true);
  if (reportBlockers(result, root, io)) return EXIT.invalid;
  const written = result.written?.written ?? [];
  const removed = result.written?.removed ?? [];
  for (const path of result.leftovers ?? [])
    io.out(`removed ${path} (left by an interrupted run)\n`);
  for (const path of written) io.out(`wrote ${path}\n`);
  for (const path of removed) io.out(`removed ${path}\n`);
  const unchanged = result.plan?.unchanged.length ?? 0;
  io.out(`${written.length} written, ${removed.length} removed, ${unchanged} unchanged\n`);
  return EXIT.ok;
}

export async function check(context: CommandContext): Promise<number> {
  const { root, io } = context;
  const result = await pipeline(context, false);
  if (reportBlockers(result, root, io)) return EXIT.invalid;
  const plan = result.plan!;
  const drift = plan.writes.length + plan.removals.length;
  if (drift === 0) {
    io.out(
      `${plural(plan.unchanged.length, 'generated file is', 'generated files are')} up to date\n`,
    );
    return EXIT.ok;
  }
  const { driftDiffs } = await import('../output/diff.ts');
  for (const diff of driftDiffs(plan)) io.out(diff.endsWith('\n') ? diff : `${diff}\n`);
  io.err(
    `${plural(drift, 'generated file is', 'generated files are')} out of date: run \`npm run generate\` and commit the result\n`,
  );
  return EXIT.drift;
}

export async function validate(context: CommandContext): Promise<number> {
  const { root, io, options } = context;
  const schemaPath = findSchema(options['schema'] as string | undefined, io.env, io.cwd);
  const { validateFiles } = await import('../validate/files.ts');
  const { files, problems } = validateFiles(root, schemaPath);
  if (problems.length > 0) {
    reportProblems(problems, io);
    return EXIT.invalid;
  }
  io.out(`${plural(files.length, 'file')} valid against ${schemaPath} and the orb\n`);
  return EXIT.ok;
}
