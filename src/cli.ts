// The command line: the only place that prints (with src/cli/) or decides an exit code.
//   0 success · 1 check or plan found drift · 2 invalid settings, usage or environment · 3 a bug
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asEnvironmentError, UserError } from './errors.ts';
import { PACKAGE_ROOT } from './paths.ts';
import { didYouMean } from './suggest.ts';
import { wrap } from './wrap.ts';
import { formatOptions, parseArgs } from './cli/args.ts';
import { COMMANDS, type Command } from './cli/commands.ts';
import { Stages } from './cli/context.ts';
import { HELP_OPTION } from './cli/options.ts';
import { EXIT, type Io } from './cli/io.ts';
import { findWorkspace } from './cli/workspace.ts';

export { EXIT, type Io } from './cli/io.ts';

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  interactive: process.stdout.isTTY === true,
};

const TOP_OPTIONS = {
  help: HELP_OPTION,
  version: { type: 'boolean', description: "Print Carbon's version." },
} as const;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const startup = performance.now();
  const stages = new Stages();
  try {
    const code = await dispatch(argv, io, stages);
    if (io.env['CARBON_PROFILE']) profile(startup, stages, io);
    return code;
  } catch (caught) {
    if (caught instanceof UserError) {
      io.err(`carbon: ${caught.message}\n`);
      return EXIT.invalid;
    }
    const environment = asEnvironmentError(caught);
    if (environment) {
      io.err(`carbon: ${environment.path}: ${environment.reason}; nothing was left half-written\n`);
      return EXIT.invalid;
    }
    const stack = caught instanceof Error ? (caught.stack ?? caught.message) : String(caught);
    const { mappedStack } = await import('./stack.ts');
    io.err(
      `carbon: internal error (this is a bug in Carbon, please report it):\n${mappedStack(stack)}\n`,
    );
    return EXIT.internal;
  }
}

async function dispatch(argv: string[], io: Io, stages: Stages): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(overview());
    return EXIT.invalid;
  }
  if (name === '-h' || name === '--help') {
    io.out(overview());
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(`carbon ${version()}\n`);
    return EXIT.ok;
  }
  if (name === 'help') {
    const command = rest[0] === undefined ? undefined : find(rest[0]);
    io.out(command ? commandHelp(command) : overview());
    return EXIT.ok;
  }
  const command = find(name);
  const { options, positionals } = parseArgs(
    rest,
    command.options,
    `carbon ${command.name}`,
    optionOwners(),
  );
  if (options.help) {
    io.out(commandHelp(command));
    return EXIT.ok;
  }
  const { min, max, missing } = command.positionals;
  if (positionals.length < min || positionals.length > max) {
    const what =
      positionals.length > max
        ? `unexpected argument ${JSON.stringify(positionals[max])}`
        : (missing ?? `${command.name} needs ${command.arguments}`);
    throw new UserError(`${what}: see \`carbon ${command.name} --help\``);
  }
  const root = findWorkspace(io.cwd, options.root);
  return command.run({ io, root, options, positionals, stages });
}

function find(name: string): Command {
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command) return command;
  const names = COMMANDS.map((candidate) => candidate.name);
  const what = name.startsWith('-') ? 'option' : 'command';
  throw new UserError(
    `unknown ${what} ${JSON.stringify(name)}${didYouMean(name, names)}: run \`carbon --help\` for the commands`,
  );
}

/** Every option name with the commands that have it. */
function optionOwners(): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const command of COMMANDS)
    for (const option of Object.keys(command.options))
      owners.set(option, [...(owners.get(option) ?? []), command.name]);
  return owners;
}

function version(): string {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 3;
  return [
    `carbon ${version()}: compiles project settings into CircleCI configs and the Carbon orb`,
    '',
    'Usage: carbon <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    '',
    'Options:',
    formatOptions(TOP_OPTIONS),
    '',
    'Run `carbon <command> --help` (or `carbon help <command>`) for what a command does and its options.',
    'Through npm, arguments follow `--`: npm run generate -- --root ../agency',
    '',
    'Exit codes: 0 success, 1 check or plan found drift, 2 invalid settings, usage or environment',
    '(full disk, permissions: the path and the reason are printed), 3 a bug in Carbon.',
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [
    `carbon ${command.name}: ${command.summary}`,
    '',
    `Usage: carbon ${command.name} ${command.arguments}`,
    '',
    ...wrap(command.description, 96),
    '',
    'Options:',
    formatOptions(command.options),
    '',
    'Examples:',
    ...command.examples.map((example) => `  ${example}`),
    '',
    `Exit codes: ${command.exitCodes}.`,
    '',
  ].join('\n');
}

/**
 * CARBON_PROFILE=1 (used by `npm run bench`): one line on stderr, `carbon-profile {json}`, with the
 * milliseconds per stage, the total, the CPU time of every thread, and the peak memory.
 */
function profile(startup: number, stages: Stages, io: Io): void {
  const usage = process.resourceUsage();
  const report = {
    stages: { startup, ...(stages.timings?.stages ?? {}) },
    marks: stages.timings?.marks ?? {},
    total: performance.now(),
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssKb: usage.maxRSS,
  };
  io.err(`carbon-profile ${JSON.stringify(report)}\n`);
}
