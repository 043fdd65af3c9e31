// The command line: the only place that prints or decides an exit code.
//   0 success · 1 check found drift · 2 invalid settings or usage · 3 internal error (a bug)
import { resolve as resolvePath, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { compileSettings } from './compile.ts';
import { formatDiagnostic, hasErrors, type Diagnostic } from './diagnostics.ts';
import { UserError } from './errors.ts';
import type { Workspace } from './resolve/model.ts';

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

export const EXIT = { ok: 0, drift: 1, invalid: 2, internal: 3 } as const;

const HELP = `carbon: compiles project settings into CircleCI configs and the Carbon orb

Usage: carbon <command> [options]

Commands:
  generate   Read projects/*.ts and carbon.config.ts, write generated/ and orb.yml.
  check      Compare generated/ and orb.yml with what generate would write; print a diff of
             every stale, missing or orphaned file and exit 1 if there is one. Writes nothing.

Options:
  --root DIR   The workspace (its projects/, carbon.config.ts, generated/, orb.yml).
               Default: the current directory.
  -h, --help   Show this help.

Exit codes: 0 success, 1 check found drift, 2 invalid settings or usage, 3 a bug in Carbon.

Examples:
  npm run generate                       # after editing projects/*.ts
  npm run check                          # in CI: fail when generated files are stale
  npx carbon generate --root ../agency   # another workspace
`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    return await run(argv, io);
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

async function run(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out(HELP);
    return command === undefined ? EXIT.invalid : EXIT.ok;
  }
  const options = parseOptions(rest);
  if (options.help) {
    io.out(HELP);
    return EXIT.ok;
  }
  const root = resolvePath(io.cwd, options.root ?? '.');
  switch (command) {
    case 'generate':
    case 'check':
      return summarize(root, io);
    default:
      throw new UserError(
        `unknown command ${JSON.stringify(command)}: run \`carbon --help\` for the commands`,
      );
  }
}

function parseOptions(args: string[]): { root?: string; help?: boolean } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0)
      throw new UserError(
        `unexpected argument ${JSON.stringify(positionals[0])}: see \`carbon --help\``,
      );
    return values;
  } catch (caught) {
    if (caught instanceof UserError) throw caught;
    throw new UserError(`${(caught as Error).message}: see \`carbon --help\``);
  }
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

async function summarize(root: string, io: Io): Promise<number> {
  const compiled = await compileSettings(root);
  report(compiled.diagnostics, root, io);
  if (hasErrors(compiled.diagnostics) || !compiled.workspace) return EXIT.invalid;
  io.out(describeWorkspace(compiled.workspace));
  return EXIT.ok;
}

function describeWorkspace(workspace: Workspace): string {
  const lines: string[] = [];
  for (const project of workspace.projects) {
    lines.push(`${project.id} (${project.name})`);
    for (const repository of project.repositories) {
      const build = repository.build;
      const parts = [
        build
          ? `build ${build.enabled ? '' : '(disabled) '}${build.branch} -> ${build.image.ecrRepository}`
          : 'no build',
        `${repository.syncs.length} sync rule${repository.syncs.length === 1 ? '' : 's'}`,
      ];
      lines.push(`  ${repository.id}: ${parts.join(', ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
