// load: finds the settings modules of a workspace and evaluates them into raw values, each with
// the file and export it came from. What is wrong with the values themselves is parse's business;
// this stage reports only what stops a module from being read.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { error, warning, type Diagnostic } from '../diagnostics.ts';
import { EvaluationError, ModuleEvaluator } from './evaluate.ts';
import { CONFIG_FILE, PROJECTS_FOLDER } from './layout.ts';
import { Transpiler } from './transpile.ts';

/** One exported settings object and where it came from. */
export interface SettingsExport {
  /** Absolute path of the module. */
  file: string;
  /** The export's name, `default` for the default export. */
  exportName: string;
  value: unknown;
}

export interface Loaded {
  root: string;
  /** The workspace configuration module, when the workspace has one. */
  config?: SettingsExport;
  projects: SettingsExport[];
  /** Every settings file read, helpers included, with the hash of the bytes read. */
  modules: Record<string, string>;
  /** False when the settings reached beyond files Carbon can follow: see ModuleEvaluator.trackable. */
  trackable: boolean;
  diagnostics: Diagnostic[];
}

/** `projects/*.ts`, without `_*.ts` helpers and declaration files, in a stable order. */
export function listProjectModules(root: string): string[] | undefined {
  const folder = join(root, PROJECTS_FOLDER);
  if (!existsSync(folder)) return undefined;
  return readdirSync(folder)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.startsWith('_'))
    .sort()
    .map((name) => join(folder, name));
}

export function loadWorkspace(root: string): Loaded {
  const diagnostics: Diagnostic[] = [];
  const transpiler = new Transpiler(root);
  const evaluator = new ModuleEvaluator(transpiler);
  const projects: SettingsExport[] = [];
  const loaded: Loaded = { root, projects, modules: {}, trackable: true, diagnostics };

  const configFile = join(root, CONFIG_FILE);
  if (existsSync(configFile)) {
    const exports = evaluateReporting(evaluator, configFile, diagnostics);
    if (exports && !('default' in exports)) {
      diagnostics.push(
        error(
          'config-without-default',
          { file: configFile, path: [] },
          'carbon.config.ts has no default export: write `export default defineConfig({ ... })` ' +
            'or `export default { ... }`',
        ),
      );
    } else if (exports) {
      loaded.config = { file: configFile, exportName: 'default', value: exports['default'] };
    }
  }

  const modules = listProjectModules(root);
  if (modules === undefined) {
    diagnostics.push(
      error(
        'missing-projects-folder',
        { file: join(root, PROJECTS_FOLDER), path: [] },
        `there is no ${PROJECTS_FOLDER}/ folder in ${root}: create ${PROJECTS_FOLDER}/<project>.ts ` +
          'with one exported project, or point --root at the workspace that has one',
      ),
    );
  } else if (modules.length === 0) {
    diagnostics.push(
      warning(
        'no-projects',
        { file: join(root, PROJECTS_FOLDER), path: [] },
        `${PROJECTS_FOLDER}/ holds no project module (files starting with "_" are helpers): ` +
          'nothing will be generated',
      ),
    );
  }
  for (const file of modules ?? []) {
    const exports = evaluateReporting(evaluator, file, diagnostics);
    if (exports) projects.push(...projectExports(file, exports, diagnostics));
  }

  for (const fix of evaluator.exportsConstFixes) {
    diagnostics.push(
      error(
        'exports-const',
        { file: fix.file, path: [] },
        '`exports const` is not valid TypeScript: write `export const` (export, without the s)',
        fix.position,
      ),
    );
  }
  loaded.modules = Object.fromEntries(evaluator.read);
  loaded.trackable = evaluator.trackable;
  transpiler.save();
  return loaded;
}

function evaluateReporting(
  evaluator: ModuleEvaluator,
  file: string,
  diagnostics: Diagnostic[],
): Record<string, unknown> | undefined {
  try {
    return evaluator.evaluate(file);
  } catch (caught) {
    if (!(caught instanceof EvaluationError)) throw caught;
    const failure = caught.failure;
    if (failure.kind === 'syntax') {
      diagnostics.push(
        error(
          'syntax-error',
          { file: failure.file, path: [] },
          `syntax error: ${failure.message}`,
          failure.position,
        ),
      );
    } else {
      diagnostics.push(
        error(
          'module-threw',
          { file: failure.file, path: [] },
          `the module threw while loading: ${failure.message}`,
          failure.position,
        ),
      );
    }
    return undefined;
  }
}

/** Every export of a project module is a project; the same object exported twice counts once. */
function projectExports(
  file: string,
  exports: Record<string, unknown>,
  diagnostics: Diagnostic[],
): SettingsExport[] {
  const found: SettingsExport[] = [];
  const seen = new Set<unknown>();
  const names = Object.keys(exports).filter((name) => name !== '__esModule');
  for (const exportName of names) {
    const value = exports[exportName];
    if (seen.has(value)) continue;
    seen.add(value);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const what =
        typeof value === 'function'
          ? 'a function'
          : Array.isArray(value)
            ? 'an array'
            : `${typeof value} ${JSON.stringify(value)}`;
      diagnostics.push(
        error(
          'not-a-project',
          { file, exportName, path: [] },
          `export ${JSON.stringify(exportName)} is ${what}, not a project: every export of a project ` +
            'module is a project; move helpers to a module whose name starts with "_" (as projects/_shared.ts)',
        ),
      );
      continue;
    }
    found.push({ file, exportName, value });
  }
  if (names.length === 0) {
    diagnostics.push(
      error(
        'no-project',
        { file, path: [] },
        'the module exports no project: write `export const myProject = defineProject({ id, name, repositories })`',
      ),
    );
  }
  return found;
}
