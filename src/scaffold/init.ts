// `carbon init`: a new workspace. Its settings (a documented carbon.config.ts and a sample
// project), what git ignores, the CI check, and the npm files that install Carbon. A fresh
// workspace compiles with no error and no warning. Returns what it wrote; prints nothing.
import { basename, dirname } from 'node:path';
import { UserError } from '../errors.ts';
import { CONFIG_FILE, PROJECTS_FOLDER, isWorkspace } from '../settings/layout.ts';
import { kindOf } from '../walk.ts';
import { configModule } from './config-module.ts';
import { readSettingsDocs } from './docs.ts';
import { exampleRepositories, projectText, DEFAULT_BRANCH } from './new.ts';
import { planRepositories, words } from './repositories.ts';
import { parseConfig } from '../settings/parse.ts';
import { ciConfig, carbonDependency, gitignore, packageJson, tsconfig } from './workspace-files.ts';
import { existingFiles, writeScaffold, type ScaffoldFile } from './write.ts';

export interface InitRequest {
  /** The folder of the new workspace, absolute. */
  root: string;
  /** Replace files that exist, and allow a workspace inside another. */
  force: boolean;
  /** How package.json names Carbon (an npm spec); default: see carbonDependency. */
  carbonPackage?: string;
}

export interface InitResult {
  written: string[];
  /** The sample project's module, relative to the root. */
  sample: string;
  /** Things to know before going on, in sentences. */
  todo: string[];
}

const SAMPLE_PROJECT = 'example';

export async function initWorkspace(request: InitRequest): Promise<InitResult> {
  const { root, force } = request;
  refuseNesting(root, force);
  const docs = await readSettingsDocs();
  // The sample as `carbon new` writes it in a workspace with every default: the new config is so.
  const sample = projectText(
    SAMPLE_PROJECT,
    words(SAMPLE_PROJECT),
    planRepositories(exampleRepositories(SAMPLE_PROJECT)),
    DEFAULT_BRANCH,
    parseConfig(undefined).config,
    root,
    docs,
  );
  const carbon = request.carbonPackage ?? carbonDependency(root);
  const files: ScaffoldFile[] = [
    { path: CONFIG_FILE, text: configModule(docs) },
    { path: `${PROJECTS_FOLDER}/${SAMPLE_PROJECT}.ts`, text: sample.text },
    { path: '.gitignore', text: gitignore() },
    { path: '.circleci/config.yml', text: ciConfig() },
    { path: 'package.json', text: packageJson(root, carbon) },
    { path: 'tsconfig.json', text: tsconfig() },
  ];
  const existing = existingFiles(root, files);
  if (existing.length > 0 && !force)
    throw new UserError(
      `${root} already has ${existing.join(', ')}: carbon init never replaces a file; ` +
        'move them away, or run `carbon init --force` to replace them. Nothing was written',
    );
  const todo = [...sample.todo];
  if (carbon.startsWith('file:'))
    todo.push(
      `package.json installs Carbon from ${carbon}, a folder CI does not have: before pushing, give ` +
        'its git URL instead (`carbon init --force --package github:owner/carbon#v1.0.0`, or edit package.json)',
    );
  return {
    written: writeScaffold(root, files, force),
    sample: `${PROJECTS_FOLDER}/${SAMPLE_PROJECT}.ts`,
    todo,
  };
}

/**
 * A workspace in a folder named projects/ would be read by the folder above as its project modules
 * (carbon.config.ts among them): the mistake of running init from inside a workspace's projects/.
 */
function refuseNesting(root: string, force: boolean): void {
  if (kindOf(root) === 'file')
    throw new UserError(`${root} is a file: give carbon init a folder (new or existing)`);
  if (force || basename(root) !== PROJECTS_FOLDER) return;
  const parent = dirname(root);
  throw new UserError(
    `${root} is the ${PROJECTS_FOLDER}/ folder of ${parent}${isWorkspace(parent) ? ', a Carbon workspace' : ''}: ` +
      `a workspace there would be read as project modules of ${parent}; choose another folder ` +
      `(run \`carbon new <project>\` to add a project to a workspace)`,
  );
}
