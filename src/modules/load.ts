// load: finds the settings modules of a workspace and evaluates them in the settings realm
// (realm.ts) into plain data, each value with the file and export it came from. What is wrong
// with the values themselves is parse's business; this stage reports only what stops a module
// from being read, and values that are not data.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { error, type Diagnostic } from '../diagnostics.ts';
import { UNSAFE_IN_HEADER } from '../output/layout.ts';
import type { SettingsExport } from '../settings/parse.ts';
import { CONFIG_FILE, PROJECTS_FOLDER, isModuleName } from './layout.ts';
import type { ConsoleLine, Inputs, ModuleEvaluation, SettingsRealm } from './realm.ts';

/** What evaluating one module gave. */
export interface ModuleLoad {
  file: string;
  exports: SettingsExport[];
  diagnostics: Diagnostic[];
  console: ConsoleLine[];
  inputs: Inputs;
}

/**
 * `projects/*.ts` in a stable order, without `_*.ts` helpers, declaration files and names starting
 * with `.` (editor lock files such as `.#x.ts`). Anything there that cannot be a module is reported.
 */
export function listProjectModules(
  root: string,
  allowEmpty = false,
): { modules: string[]; diagnostics: Diagnostic[] } {
  const folder = join(root, PROJECTS_FOLDER);
  const diagnostics: Diagnostic[] = [];
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    diagnostics.push(
      error(
        'missing-projects-folder',
        { file: folder, path: [] },
        `there is no ${PROJECTS_FOLDER}/ folder in ${root}: create ${PROJECTS_FOLDER}/<project>.ts ` +
          'with one exported project (`carbon new <project>` writes one), or point --root at the workspace that has one',
      ),
    );
    return { modules: [], diagnostics };
  }
  const modules: string[] = [];
  for (const name of names.sort()) {
    if (!isModuleName(name) || name.startsWith('_')) continue;
    const file = join(folder, name);
    // A module's name is written into the header of every file made from it.
    if (UNSAFE_IN_HEADER.test(name)) {
      diagnostics.push(
        error(
          'unsafe-file-name',
          { file: folder, path: [] },
          `${JSON.stringify(`${PROJECTS_FOLDER}/${name}`)} has a control character or line break in its name, ` +
            'which would end up in the generated files: rename it with letters, digits, "-" and "_"',
        ),
      );
      continue;
    }
    let kind: string;
    try {
      const stat = statSync(file);
      kind = stat.isFile() ? 'file' : stat.isDirectory() ? 'folder' : 'special';
    } catch {
      kind = 'dangling';
    }
    if (kind === 'file') modules.push(file);
    else
      diagnostics.push(
        error(
          'not-a-module',
          { file, path: [] },
          kind === 'folder'
            ? `${PROJECTS_FOLDER}/${name} is a folder, not a settings module: rename it (a project module is a .ts file)`
            : kind === 'special'
              ? `${PROJECTS_FOLDER}/${name} is not a regular file (a named pipe, a socket or a device): remove it (a project module is a .ts file)`
              : `${PROJECTS_FOLDER}/${name} is a link to a file that does not exist: remove it or fix the link`,
        ),
      );
  }
  // An empty projects/ would remove every generated file: only when asked for.
  if (modules.length === 0 && diagnostics.length === 0 && !allowEmpty)
    diagnostics.push(
      error(
        'no-projects',
        { file: folder, path: [] },
        `${PROJECTS_FOLDER}/ holds no project module (files starting with "_" are helpers), so ` +
          'generate would remove every generated file: add a project (`carbon new <project>`), or ' +
          'pass --allow-empty if that is what you mean',
      ),
    );
  return { modules, diagnostics };
}

/** carbon.config.ts's default export, when the workspace has the file. */
export async function loadConfigModule(
  realm: SettingsRealm,
  root: string,
): Promise<{ load: ModuleLoad; config?: SettingsExport } | undefined> {
  const file = join(root, CONFIG_FILE);
  try {
    if (!statSync(file).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const load = await evaluateModule(realm, file);
  const value = load.exports.find((entry) => entry.exportName === 'default');
  if (value) return { load: { ...load, exports: [] }, config: value };
  if (!load.diagnostics.some((d) => d.severity === 'error'))
    load.diagnostics.push(
      error(
        'config-without-default',
        { file, path: [] },
        'carbon.config.ts has no default export: write `export default defineConfig({ ... })` ' +
          'or `export default { ... }`',
      ),
    );
  return { load: { ...load, exports: [] } };
}

/** A project module's exports, each a project, with what went wrong reading them. */
export async function loadProjectModule(realm: SettingsRealm, file: string): Promise<ModuleLoad> {
  const load = await evaluateModule(realm, file);
  const projects: SettingsExport[] = [];
  const seen = new Set<unknown>();
  for (const entry of load.exports) {
    const value = entry.value;
    if (seen.has(value) && value !== undefined) continue;
    seen.add(value);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      load.diagnostics.push(
        error(
          'not-a-project',
          { file, exportName: entry.exportName, path: [] },
          `export ${JSON.stringify(entry.exportName)} is ${describe(value)}, not a project: every export of a project ` +
            'module is a project; move helpers to a module whose name starts with "_" (as projects/_shared.ts)',
        ),
      );
      continue;
    }
    projects.push(entry);
  }
  const failed = load.diagnostics.some((d) => d.severity === 'error');
  if (load.exports.length === 0 && !failed) {
    load.diagnostics.push(
      error(
        'no-project',
        { file, path: [] },
        'the module exports no project: write `export const myProject = defineProject({ id, name, repositories })`',
      ),
    );
  }
  return { ...load, exports: projects };
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'undefined';
  return `${typeof value} ${JSON.stringify(value)}`;
}

async function evaluateModule(realm: SettingsRealm, file: string): Promise<ModuleLoad> {
  const { evaluation, inputs } = await realm.evaluate(file);
  const diagnostics = evaluationDiagnostics(file, evaluation);
  const exports = Object.entries(evaluation.exports ?? {}).map(([exportName, value]) => ({
    file,
    exportName,
    value,
  }));
  return { file, exports, diagnostics, console: evaluation.console, inputs };
}

function evaluationDiagnostics(file: string, evaluation: ModuleEvaluation): Diagnostic[] {
  const diagnostics: Diagnostic[] = evaluation.exportsConstFixes.map((fix) =>
    error(
      'exports-const',
      { file: fix.file, path: [] },
      '`exports const` is not valid TypeScript: write `export const` (export, without the s)',
      fix.position,
    ),
  );
  for (const problem of evaluation.problems) {
    diagnostics.push(
      error(
        'unreadable-value',
        { file, exportName: problem.export, path: problem.path },
        problem.message,
      ),
    );
  }
  const failure = evaluation.failure;
  if (!failure) return diagnostics;
  const origin = { file: failure.file, path: [] };
  const position = 'position' in failure ? failure.position : undefined;
  switch (failure.kind) {
    case 'syntax':
      diagnostics.push(error('syntax-error', origin, failure.message, position));
      break;
    case 'threw':
      diagnostics.push(
        error(
          'module-threw',
          origin,
          `the module threw while loading: ${failure.message}`,
          position,
        ),
      );
      break;
    case 'timeout':
      diagnostics.push(error('settings-timeout', origin, failure.message));
      break;
    case 'memory':
      diagnostics.push(error('settings-memory', origin, failure.message));
      break;
    case 'unreadable':
      diagnostics.push(error('unreadable-file', origin, failure.message, position));
      break;
  }
  return diagnostics;
}
