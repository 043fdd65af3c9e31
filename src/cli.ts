// The command line: the only place that prints or decides an exit code.
//   0 success · 1 check found drift · 2 invalid settings or usage · 3 internal error (a bug)
import { resolve as resolvePath, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDiagnostic, hasErrors, type Diagnostic } from './diagnostics.ts';
import { ORB_FILE } from './output/layout.ts';
import { UserError } from './errors.ts';
import { didYouMean } from './suggest.ts';
import { runPipeline, type FileProblem, type PipelineResult } from './pipeline.ts';
import type { RunRequest } from './run/run.ts';
import { findSchema } from './validate/schema.ts';
// Commands load what only they need (run, validate, the diff of check) when they run: a no-op
// generate or check loads no YAML parser, no schema validator and no TypeScript transpiler.

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
};

const COMMANDS = ['generate', 'check', 'validate', 'run', 'site'];

export const EXIT = { ok: 0, drift: 1, invalid: 2, internal: 3 } as const;

const HELP = `carbon: compiles project settings into CircleCI configs and the Carbon orb

Usage: carbon <command> [options]

Commands:
  generate   Read projects/*.ts and carbon.config.ts; write generated/<project>/<repository>/
             .circleci/config.yml (and schedules.yml), and orb.yml. Only changed files are
             written; generated files whose source is gone are removed.
  check      Compare generated/ and orb.yml with what generate would write. Writes nothing;
             prints a unified diff of every stale, missing or orphaned file and exits 1.
  validate   Validate orb.yml and every generated config on disk against the CircleCI schema
             and the orb's jobs, commands and parameters.
  run <project>/<repository> <workflow>
             Run a job of a generated workflow on this machine, as CircleCI would: checkout from
             the repository's git URL, every step with bash, the CIRCLE_* variables. Rehearse a
             sync before scheduling it. Exit code: 0, or the failing step's.
  site       Write the overview site (projects, repositories, link graphs, schedules) into
             site/, or --out DIR; --serve serves it on 127.0.0.1 and rebuilds on changes.

Options:
  --root DIR     The workspace: its projects/, carbon.config.ts, generated/ and orb.yml.
                 Default: the current directory.
  --schema FILE  CircleCI's JSON schema. Default: $CARBON_CIRCLECI_SCHEMA, else
                 ../shared/circleci/schema.json beside Carbon.
  -h, --help     Show this help.

Options of run:
  --dry-run        Print the processed steps and their commands; run nothing.
  --job NAME       The job to run, when the workflow has several.
  --param K=V      Override a job parameter (repeatable), as --param deploy=none.
  --branch NAME    CIRCLE_BRANCH and the branch checked out. Default: the workflow's branch
                   filter, else the repository's default branch.
  --commit SHA     Check out this commit instead of the branch's head.
  --workdir DIR    Run in DIR (new or empty) and keep it; default: a temporary directory.
  --keep           Keep the temporary working directory.

Exit codes: 0 success, 1 check found drift, 2 invalid settings, files or usage, 3 a bug in Carbon.

Examples:
  npm run generate                         # after editing projects/*.ts
  npm run check                            # in CI: fail when generated files are stale
  npx carbon generate --root ../agency     # another workspace
  npx carbon run taxaroo/Taxaroo-API-V2 carbon-sync-to-local-sync/develop --dry-run
`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const startup = performance.now();
  try {
    const stages = new Stages();
    const code = await run(argv, io, stages);
    if (io.env['CARBON_PROFILE']) profile(startup, stages, io);
    return code;
  } catch (caught) {
    if (caught instanceof UserError) {
      io.err(`carbon: ${caught.message}\n`);
      return EXIT.invalid;
    }
    const stack = caught instanceof Error ? (caught.stack ?? caught.message) : String(caught);
    io.err(`carbon: internal error (this is a bug in Carbon, please report it):\n${stack}\n`);
    return EXIT.internal;
  }
}

async function run(argv: string[], io: Io, stages: Stages): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out(HELP);
    return command === undefined ? EXIT.invalid : EXIT.ok;
  }
  if (!COMMANDS.includes(command)) {
    throw new UserError(
      `unknown command ${JSON.stringify(command)}${didYouMean(command, COMMANDS)}: run \`carbon --help\` for the commands`,
    );
  }
  const { options, positionals } = parseOptions(rest, command === 'run' ? 2 : 0);
  if (options.help) {
    io.out(HELP);
    return EXIT.ok;
  }
  const root = resolvePath(io.cwd, options.root ?? '.');
  const schemaPath = () => findSchema(options.schema, io.env, io.cwd);
  switch (command) {
    case 'generate':
      return generate(
        stages.of(await runPipeline({ root, schemaPath: schemaPath(), write: true })),
        root,
        io,
      );
    case 'check':
      return await check(
        stages.of(await runPipeline({ root, schemaPath: schemaPath(), write: false })),
        root,
        io,
      );
    case 'validate':
      return await validate(root, schemaPath(), io);
    case 'run':
      return runJob(root, positionals, options, io);
    case 'site':
      return (await import('./site/command.ts')).siteCommand(root, options, io, (found) =>
        report(found, root, io),
      );
    default:
      throw new Error(`command ${command} is listed but not handled`);
  }
}

interface Options {
  root?: string;
  schema?: string;
  help?: boolean;
  'dry-run'?: boolean;
  job?: string;
  param?: string[];
  branch?: string;
  commit?: string;
  workdir?: string;
  keep?: boolean;
  out?: string;
  serve?: boolean;
}

function parseOptions(
  args: string[],
  expected: number,
): { options: Options; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        root: { type: 'string' },
        schema: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        'dry-run': { type: 'boolean' },
        job: { type: 'string' },
        param: { type: 'string', multiple: true },
        branch: { type: 'string' },
        commit: { type: 'string' },
        workdir: { type: 'string' },
        keep: { type: 'boolean' },
        out: { type: 'string' },
        serve: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (caught) {
    throw new UserError(`${(caught as Error).message}: see \`carbon --help\``);
  }
  const { values, positionals } = parsed;
  const runOnly = ['dry-run', 'job', 'param', 'branch', 'commit', 'workdir', 'keep'].filter(
    (name) => name in values,
  );
  if (expected === 0 && runOnly.length > 0) {
    throw new UserError(
      `--${runOnly[0]} is an option of \`carbon run\` only: see \`carbon --help\``,
    );
  }
  if (!values.help && positionals.length !== expected) {
    const what =
      expected === 0
        ? `unexpected argument ${JSON.stringify(positionals[0])}`
        : `run takes <project>/<repository> and a workflow name`;
    throw new UserError(`${what}: see \`carbon --help\``);
  }
  return { options: values, positionals };
}

function report(diagnostics: Diagnostic[], root: string, io: Io): void {
  const display = (file: string) => relative(root, file) || '.';
  for (const diagnostic of diagnostics) io.err(`${formatDiagnostic(diagnostic, display)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length > 0) {
    io.err(
      `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
    );
  }
}

/** Everything that stops generate and check before output: exit 2 when there is any. */
function reportBlockers(result: PipelineResult, root: string, io: Io): boolean {
  report(result.diagnostics, root, io);
  if (hasErrors(result.diagnostics)) return true;
  if (result.problems.length > 0) {
    reportProblems(result.problems, io);
    io.err(
      'the files above would be invalid: fix templates/orb/ or report a bug in Carbon; nothing was written\n',
    );
    return true;
  }
  for (const file of result.plan?.foreign ?? []) {
    io.err(
      `${file.path} - error foreign-file: it has no "# Generated by Carbon" header, so Carbon will not ` +
        `${file.why} it: move it out of the way (or delete it) and run again\n`,
    );
  }
  if (result.versionGuard)
    io.err(`${ORB_FILE} - error orb-version-unchanged: ${result.versionGuard}\n`);
  return (result.plan?.foreign.length ?? 0) > 0 || result.versionGuard !== undefined;
}

function reportProblems(problems: FileProblem[], io: Io): void {
  for (const problem of problems)
    io.err(`${problem.path}:${problem.pointer} - error invalid-output: ${problem.message}\n`);
}

/** The stage timings of the pipeline run by a command, for CARBON_PROFILE. */
class Stages {
  timings: PipelineResult['timings'] | undefined;
  of(result: PipelineResult): PipelineResult {
    this.timings = result.timings;
    return result;
  }
}

/**
 * CARBON_PROFILE=1 (used by `npm run bench`): one line on stderr, `carbon-profile {json}`, with the
 * milliseconds per stage, the total, and the peak memory.
 */
function profile(startup: number, stages: Stages, io: Io): void {
  const total = performance.now();
  const report = {
    stages: { startup, ...(stages.timings?.stages ?? {}) },
    total,
    maxRssKb: process.resourceUsage().maxRSS,
  };
  io.err(`carbon-profile ${JSON.stringify(report)}\n`);
}

function generate(result: PipelineResult, root: string, io: Io): number {
  if (reportBlockers(result, root, io)) return EXIT.invalid;
  const written = result.written?.written ?? [];
  const removed = result.written?.removed ?? [];
  for (const path of written) io.out(`wrote ${path}\n`);
  for (const path of removed) io.out(`removed ${path}\n`);
  const unchanged = result.plan?.unchanged.length ?? 0;
  io.out(`${written.length} written, ${removed.length} removed, ${unchanged} unchanged\n`);
  return EXIT.ok;
}

async function check(result: PipelineResult, root: string, io: Io): Promise<number> {
  if (reportBlockers(result, root, io)) return EXIT.invalid;
  const plan = result.plan!;
  const drift = plan.writes.length + plan.removals.length;
  if (drift === 0) {
    io.out(`${plan.unchanged.length} generated files are up to date\n`);
    return EXIT.ok;
  }
  const { driftDiffs } = await import('./output/diff.ts');
  for (const diff of driftDiffs(plan)) io.out(diff.endsWith('\n') ? diff : `${diff}\n`);
  io.err(
    `${drift} generated file${drift === 1 ? ' is' : 's are'} out of date: run \`npm run generate\` and commit the result\n`,
  );
  return EXIT.drift;
}

async function validate(root: string, schemaPath: string, io: Io): Promise<number> {
  const { validateFiles } = await import('./validate/files.ts');
  const { files, problems } = validateFiles(root, schemaPath);
  if (problems.length > 0) {
    reportProblems(problems, io);
    return EXIT.invalid;
  }
  io.out(`${files.length} files valid against ${schemaPath} and the orb\n`);
  return EXIT.ok;
}

async function runJob(
  root: string,
  [target, workflow]: string[],
  options: Options,
  io: Io,
): Promise<number> {
  const request: RunRequest = {
    root,
    target: target!,
    workflow: workflow!,
    params: options.param ?? [],
    ...(options.job ? { job: options.job } : {}),
    ...(options.branch ? { branch: options.branch } : {}),
    ...(options.commit ? { commit: options.commit } : {}),
    ...(options.workdir ? { workdir: resolvePath(io.cwd, options.workdir) } : {}),
    keep: options.keep ?? false,
    env: io.env,
    out: io.out,
  };
  const { describeJob, prepareRun, runPrepared } = await import('./run/run.ts');
  const { ProcessError } = await import('./run/process.ts');
  let prepared;
  try {
    prepared = await prepareRun(request);
  } catch (caught) {
    if (caught instanceof ProcessError) throw new UserError(caught.message);
    throw caught;
  }
  report(prepared.diagnostics, root, io);
  if (options['dry-run']) {
    io.out(describeJob(prepared));
    return EXIT.ok;
  }
  return runPrepared(prepared, request).code;
}
