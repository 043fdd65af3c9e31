// generate, check and validate: the compiler's commands.
import { runPipeline, type PipelineResult } from '../pipeline.ts';
import { NO_SCHEMA_NOTE, findSchema } from '../validate/schema-source.ts';
import type { CommandContext } from './context.ts';
import type { BUILD_OPTIONS, SCHEMA_OPTION, VALIDATE_OPTIONS } from './options.ts';
import { EXIT } from './io.ts';
import { plural, reportBlockers, reportConsole, reportProblems } from './report.ts';

/** A command with --schema. */
type WithSchema = CommandContext<{ schema: typeof SCHEMA_OPTION }>;

/** CircleCI's schema for this run, saying once when there is none. */
function schemaOf(context: WithSchema): string | undefined {
  const { options, io } = context;
  const { path } = findSchema(options.schema, io.env, io.cwd);
  if (path === undefined) io.err(NO_SCHEMA_NOTE);
  return path;
}

/** The pipeline for this command's workspace and options, what settings printed reported. */
export function pipeline(
  context: WithSchema,
  write: boolean,
  allowEmpty = false,
): Promise<PipelineResult> {
  const { root, io } = context;
  const schemaPath = schemaOf(context);
  return runPipeline({ root, schemaPath, write, env: io.env, allowEmpty }).then((result) => {
    reportConsole(result.console, io);
    return context.stages.of(result);
  });
}

export async function generate(context: CommandContext<typeof BUILD_OPTIONS>): Promise<number> {
  const { root, io } = context;
  const result = await pipeline(context, true, context.options['allow-empty']);
  if (reportBlockers(result, root, io)) return EXIT.invalid;
  const written = result.written?.written ?? [];
  const removed = result.written?.removed ?? [];
  for (const path of result.leftovers ?? [])
    io.out(`removed ${path} (left by an interrupted run)\n`);
  for (const path of written) io.out(`wrote ${path}\n`);
  for (const path of removed) io.out(`removed ${path}\n`);
  for (const line of projectSummaries(written, removed)) io.out(`${line}\n`);
  const unchanged = result.plan?.unchanged.length ?? 0;
  io.out(`${written.length} written, ${removed.length} removed, ${unchanged} unchanged\n`);
  return EXIT.ok;
}

/** One line per project that changed: `taxaroo: written Taxaroo-API-V2, Taxaroo-App; removed Old`. */
function projectSummaries(written: string[], removed: string[]): string[] {
  const changes = new Map<string, { written: Set<string>; removed: Set<string> }>();
  const note = (paths: string[], kind: 'written' | 'removed') => {
    for (const path of paths) {
      const match = /^generated\/([^/]+)\/([^/]+)\//.exec(path);
      if (!match) continue;
      const entry = changes.get(match[1]!) ?? { written: new Set(), removed: new Set() };
      entry[kind].add(match[2]!);
      changes.set(match[1]!, entry);
    }
  };
  note(written, 'written');
  note(removed, 'removed');
  return [...changes].map(([project, { written, removed }]) => {
    const parts = [
      ...(written.size > 0 ? [`wrote ${[...written].join(', ')}`] : []),
      ...(removed.size > 0 ? [`removed ${[...removed].join(', ')}`] : []),
    ];
    return `${project}: ${parts.join('; ')}`;
  });
}

export async function check(context: CommandContext<typeof BUILD_OPTIONS>): Promise<number> {
  const { root, io } = context;
  const result = await pipeline(context, false, context.options['allow-empty']);
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

export async function validate(context: CommandContext<typeof VALIDATE_OPTIONS>): Promise<number> {
  const { root, io } = context;
  const schemaPath = schemaOf(context);
  const { validateFiles } = await import('../validate/files.ts');
  const { files, problems } = validateFiles(root, schemaPath);
  if (problems.length > 0) {
    reportProblems(problems, io);
    return EXIT.invalid;
  }
  const against = schemaPath === undefined ? "Carbon's own checks" : schemaPath;
  io.out(`${plural(files.length, 'file')} valid against ${against} and the orb\n`);
  return EXIT.ok;
}
