// `carbon init`: a new workspace. Its settings (a documented carbon.config.ts and a sample
// project), what git ignores, the CI check, and the npm files that install Carbon. A fresh
// workspace compiles with no error and no warning. Returns what it wrote; prints nothing.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.ts';
import { CONFIG_FILE, PROJECTS_FOLDER, isWorkspace } from '../modules/layout.ts';
import { kindOf } from '../walk.ts';
import { configModule } from './config-module.ts';
import { readSettingsDocs } from './docs.ts';
import { exampleRepositories, projectText, DEFAULT_BRANCH } from './new.ts';
import { planRepositories, words } from './repositories.ts';
import { parseConfig } from '../settings/parse.ts';
import { checkOrbName } from '../settings/values.ts';
import { ciConfig, carbonDependency, gitignore, packageJson, tsconfig } from './workspace-files.ts';
import { existingFiles, writeScaffold, type ScaffoldFile } from './write.ts';

export interface InitRequest {
  /** The folder of the new workspace, absolute. */
  root: string;
  /** Replace files that exist, and allow a workspace inside another. */
  force: boolean;
  /**
   * How package.json names Carbon (an npm spec); default: see carbonDependency. In an existing
   * workspace, given alone, it changes that and nothing else.
   */
  carbonPackage?: string;
  /** The CircleCI orb namespace the workspace publishes its orb to; none: the orb is inline. */
  orbNamespace?: string;
}

export interface InitResult {
  written: string[];
  /** The sample project's module, relative to the root. */
  sample: string;
  /** Things to know before going on, in sentences. */
  todo: string[];
  /** Set when only package.json's Carbon spec changed, in an existing workspace. */
  packageOnly?: true;
}

const SAMPLE_PROJECT = 'example';

export async function initWorkspace(request: InitRequest): Promise<InitResult> {
  const { root, force } = request;
  refuseNesting(root, force);
  if (
    request.carbonPackage !== undefined &&
    request.orbNamespace === undefined &&
    isWorkspace(root)
  )
    return setCarbonPackage(root, request.carbonPackage);
  if (request.orbNamespace !== undefined) {
    const problem = checkOrbName(request.orbNamespace);
    if (problem) throw new UserError(`--orb-namespace: ${problem}`);
  }
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
    {
      path: CONFIG_FILE,
      text: configModule(
        docs,
        request.orbNamespace === undefined ? {} : { orbNamespace: request.orbNamespace },
      ),
    },
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
  if (request.orbNamespace === undefined)
    todo.push(
      "the configs carry the orb inline, since no orb namespace is set: to publish it instead, set orb.namespace in carbon.config.ts to your organization's CircleCI orb namespace (`circleci namespace create` makes one); `carbon apply` then publishes the orb there",
    );
  if (carbon.startsWith('file:'))
    todo.push(
      `package.json installs Carbon from ${carbon}, a folder CI does not have: before pushing, give ` +
        'its git URL instead (`npm run carbon -- init --package github:owner/carbon#v1.0.0` in the workspace changes only package.json)',
    );
  return {
    written: writeScaffold(root, files, force),
    sample: `${PROJECTS_FOLDER}/${SAMPLE_PROJECT}.ts`,
    todo,
  };
}

/**
 * `carbon init --package SPEC` in a workspace: the Carbon package.json installs becomes SPEC, and
 * nothing else changes (the settings, the projects and the rest of package.json stay as they are).
 */
function setCarbonPackage(root: string, spec: string): InitResult {
  const path = join(root, 'package.json');
  let manifest: Record<string, unknown> = JSON.parse(packageJson(root, spec)) as Record<
    string,
    unknown
  >;
  if (kindOf(path) === 'file') {
    try {
      manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (caught) {
      throw new UserError(
        `${path} is not JSON (${(caught as Error).message}): fix it, then run carbon init --package again`,
      );
    }
    const field =
      ['dependencies', 'devDependencies'].find(
        (name) =>
          typeof (manifest[name] as Record<string, unknown> | undefined)?.['carbon'] === 'string',
      ) ?? 'devDependencies';
    manifest[field] = { ...(manifest[field] as object | undefined), carbon: spec };
  }
  writeScaffold(
    root,
    [{ path: 'package.json', text: `${JSON.stringify(manifest, null, 2)}\n` }],
    true,
  );
  return {
    written: ['package.json'],
    sample: '',
    packageOnly: true,
    todo: [
      `run npm install: it installs Carbon from ${spec} and records it in package-lock.json, which CI's \`npm ci\` reads`,
    ],
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
