// `carbon init` and `carbon new`: what was written, what is left to do, and the next steps.
import { relative, resolve } from 'node:path';
import { wrap } from '../wrap.ts';
import type { CommandContext } from './context.ts';
import type { INIT_OPTIONS, NEW_OPTIONS } from './options.ts';
import { EXIT, type Io } from './io.ts';
import { plural, report, reportConsole } from './report.ts';

export async function init(context: CommandContext<typeof INIT_OPTIONS>): Promise<number> {
  const { io, options, positionals } = context;
  const { initWorkspace } = await import('../scaffold/init.ts');
  const root = resolve(io.cwd, positionals[0] ?? '.');
  const { package: carbonPackage, 'orb-namespace': orbNamespace } = options;
  const result = await initWorkspace({
    root,
    force: options.force === true,
    ...(carbonPackage !== undefined ? { carbonPackage } : {}),
    ...(orbNamespace !== undefined ? { orbNamespace } : {}),
  });
  const shown = shownPath(io, root);
  for (const path of result.written) io.out(`wrote ${shownPath(io, resolve(root, path))}\n`);
  if (result.packageOnly) {
    printTodo(io, result.todo);
    return EXIT.ok;
  }
  io.out(`a new Carbon workspace in ${shown}\n`);
  printTodo(io, result.todo);
  const into = shown === '.' ? '' : `cd ${shown} && `;
  printSteps(io, [
    `${into}npm install   (installs Carbon and writes package-lock.json, which CI's \`npm ci\` needs)`,
    `edit ${result.sample}, or add a project: npm run carbon -- new <project> <git URLs...>`,
    'npm run generate   (writes generated/ and orb.yml from the settings)',
    'git init && git add -A && git commit   (CI runs `npm run check` on every push)',
  ]);
  return EXIT.ok;
}

export async function newProjectCommand(
  context: CommandContext<typeof NEW_OPTIONS>,
): Promise<number> {
  const { io, root, options, positionals } = context;
  const [id, ...urls] = positionals;
  const { newProject } = await import('../scaffold/new.ts');
  const { carbon, branch, name } = options;
  const result = await newProject({
    root,
    id: id!,
    urls,
    ...(carbon !== undefined ? { carbon } : {}),
    ...(branch !== undefined ? { branch } : {}),
    ...(name !== undefined ? { name } : {}),
    origins: options.origin ?? [],
    noBuild: options['no-build'] ?? [],
    force: options.force === true,
    env: io.env,
  });
  reportConsole(result.console, io);
  if (!result.written) {
    report(result.diagnostics, root, io);
    io.err(
      'carbon new: fix carbon.config.ts first: the project is written to fit it; nothing was written\n',
    );
    return EXIT.invalid;
  }
  const built = result.repositories.filter(
    (repository) => repository !== result.carbon && !result.syncOnly.includes(repository),
  );
  const syncOnly =
    result.syncOnly.length === 0 ? '' : `; ${result.syncOnly.join(', ')} without a build`;
  const what =
    result.carbon === undefined
      ? `repositories ${result.repositories.join(', ')}`
      : `${built.length > 0 ? `${built.join(', ')}, built with ` : ''}the carbon repository ${result.carbon}${syncOnly}`;
  io.out(
    `wrote ${shownPath(io, resolve(root, result.path))}: project ${JSON.stringify(id)} (export ${result.exportName}), ${what}\n`,
  );
  // What compiling the workspace says of the new module (warnings: what is left to set up).
  report(result.diagnostics, root, io);
  const todo = [...result.todo];
  if (result.otherErrors > 0)
    todo.push(
      `the workspace has ${plural(result.otherErrors, 'error')} in other settings: \`npm run generate\` shows ${result.otherErrors === 1 ? 'it' : 'them'}`,
    );
  printTodo(io, todo);
  printSteps(io, [
    `edit ${result.path}: each field says what it means where it first appears`,
    'npm run generate   (writes its generated files; `npm run carbon -- ls` shows what the settings give)',
    `commit ${result.path} with generated/ and orb.yml`,
  ]);
  return EXIT.ok;
}

function shownPath(io: Io, path: string): string {
  const shown = relative(io.cwd, path);
  if (shown === '') return '.';
  return shown.startsWith('..') && shown.split('/').filter((part) => part === '..').length > 2
    ? path
    : shown;
}

function printTodo(io: Io, todo: string[]): void {
  if (todo.length === 0) return;
  io.out('\nTo do:\n');
  for (const item of todo) {
    const [first, ...rest] = wrap(item, 92);
    io.out(`  - ${first}\n${rest.map((line) => `    ${line}\n`).join('')}`);
  }
}

function printSteps(io: Io, steps: string[]): void {
  io.out('\nNext steps:\n');
  steps.forEach((step, index) => io.out(`  ${index + 1}. ${step}\n`));
}
