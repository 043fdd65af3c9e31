// `carbon new <project>`: a project module, projects/<project>.ts, from the project's git URLs.
// The workspace is compiled first, so that the id is known to be free and what is written fits the
// workspace's config (an AWS account for builds, a key for syncs); other projects' mistakes do not
// stop it (a git.sshKeys entry may be waiting for this very project). It is compiled again after
// writing, so that what is left to do (warnings) is said at once. Returns data; prints nothing.
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compileSettings } from '../compile/resolved-settings.ts';
import { hasErrors, type Diagnostic } from '../diagnostics.ts';
import { UserError } from '../errors.ts';
import { isWorkspace } from '../modules/layout.ts';
import { accessOf } from '../resolve/credentials.ts';
import { projectAws } from '../resolve/rules.ts';
import type { ConsoleLine } from '../modules/realm.ts';
import type { Config } from '../settings/schema.ts';
import { CONFIG_FILE, PROJECTS_FOLDER } from '../modules/layout.ts';
import { checkBranch, checkId } from '../settings/values.ts';
import { readSettingsDocs, type SettingsDocs } from './docs.ts';
import { projectModule, type ProjectModule } from './project-module.ts';
import { planRepositories, words, type RepositoryRequest } from './repositories.ts';
import { existingFiles, writeScaffold } from './write.ts';

export interface NewRequest {
  root: string;
  id: string;
  /** The agency's repositories. None: example repositories, to be replaced. */
  urls: string[];
  carbon?: string;
  /** `REPOSITORY=URL` pairs. */
  origins: string[];
  /** Repositories (ids or git URLs) that only sync: no build is written for them. */
  noBuild?: string[];
  branch?: string;
  name?: string;
  force: boolean;
  env: NodeJS.ProcessEnv;
}

export type NewResult =
  | {
      written: false;
      /** carbon.config.ts has errors: the module cannot be made to fit it; nothing was written. */
      diagnostics: Diagnostic[];
      console: ConsoleLine[];
    }
  | {
      written: true;
      /** The module, relative to the root. */
      path: string;
      exportName: string;
      repositories: string[];
      carbon?: string;
      /** The repositories written without a build (--no-build). */
      syncOnly: string[];
      todo: string[];
      /** What compiling the workspace with the new module says of it: warnings at most. */
      diagnostics: Diagnostic[];
      /** Errors of the other modules, which the new one does not fix: `carbon generate` shows them. */
      otherErrors: number;
      console: ConsoleLine[];
    };

export const DEFAULT_BRANCH = 'main';

export async function newProject(request: NewRequest): Promise<NewResult> {
  const { root, id } = request;
  const idProblem = checkId(id);
  if (idProblem !== undefined) throw new UserError(`project id ${idProblem}`);
  const branch = request.branch ?? DEFAULT_BRANCH;
  const branchProblem = checkBranch(branch);
  if (branchProblem !== undefined) throw new UserError(`--branch: ${branchProblem}`);
  const name = request.name ?? words(id);
  if (name.trim() === '') throw new UserError('--name is empty: give the project a name');
  const examples = request.urls.length === 0 && request.carbon === undefined;
  if (examples && request.origins.length > 0)
    throw new UserError(
      "--origin pairs a repository given to `carbon new` with the client's: give the git URLs too",
    );
  const plan = planRepositories(
    examples
      ? exampleRepositories(id)
      : {
          urls: request.urls,
          ...(request.carbon === undefined ? {} : { carbon: request.carbon }),
          origins: request.origins,
          noBuild: request.noBuild ?? [],
        },
  );
  if (!isWorkspace(root))
    throw new UserError(
      `${root} is no Carbon workspace (it has neither carbon.config.ts nor a settings module in ${PROJECTS_FOLDER}/): ` +
        'run `carbon init` to make one, or give --root DIR',
    );
  const path = `${PROJECTS_FOLDER}/${id}.ts`;
  const target = join(root, path);
  if (existingFiles(root, [{ path, text: '' }]).length > 0 && !request.force)
    throw new UserError(
      `${path} exists: carbon new never replaces a file; choose another id, or run it with --force to replace the file`,
    );

  const folder = join(root, PROJECTS_FOLDER);
  const madeFolder = !existsSync(folder);
  if (madeFolder) mkdirSync(folder);
  const before = await compileSettings(root, request.env);
  const config = before.config;
  const configFile = join(root, CONFIG_FILE);
  // Another project's mistakes do not stop a new one; the config's do: the module is written for
  // it. But a git.sshKeys entry that opens no repository yet may be waiting for this very project.
  const configErrors = before.diagnostics.filter(
    (d) => d.severity === 'error' && d.origin.file === configFile && d.code !== 'unused-ssh-key',
  );
  if (!config || configErrors.length > 0) {
    if (madeFolder) rmdirSync(folder);
    return {
      written: false,
      diagnostics: before.diagnostics.filter((d) => d.origin.file === configFile),
      console: before.console,
    };
  }
  refuseTakenId(root, id, target, before.projects);

  const docs = await readSettingsDocs();
  const module = projectText(id, name, plan, branch, config, root, docs);
  writeScaffold(root, [{ path, text: module.text }], request.force);

  const after = await compileSettings(root, request.env);
  const own = after.diagnostics.filter((diagnostic) => resolve(diagnostic.origin.file) === target);
  if (hasErrors(own))
    throw new Error(
      `carbon new wrote ${path}, which does not compile: ` +
        own.map((diagnostic) => `${diagnostic.code}: ${diagnostic.message}`).join('; '),
    );
  return {
    written: true,
    path,
    exportName: module.exportName,
    repositories: plan.repositories.map((repository) => repository.id),
    ...(plan.carbon === undefined ? {} : { carbon: plan.carbon }),
    syncOnly: plan.repositories.filter((r) => r.build === false).map((r) => r.id),
    todo: [
      ...(examples
        ? [
            `the repositories are examples (github.com/your-org/…): replace them with the project's own, ` +
              `or run \`carbon new ${id} --force\` with its git URLs`,
          ]
        : []),
      ...module.todo,
    ],
    diagnostics: own,
    otherErrors: after.diagnostics.filter((d) => d.severity === 'error').length,
    console: after.console,
  };
}

/** The module's text for settings that compile in a workspace with this config. */
export function projectText(
  id: string,
  name: string,
  plan: ReturnType<typeof planRepositories>,
  branch: string,
  config: Config,
  root: string,
  docs: SettingsDocs,
  options: { live?: boolean } = {},
): ProjectModule {
  const account = projectAws(config, {
    source: { file: '', exportName: '' },
    settings: { id, name, aws: {} },
    repositories: [],
    invalidRepositoryIds: [],
  }).accountId;
  const access = { root, config, projects: [] };
  return projectModule(
    {
      id,
      name,
      plan,
      branch,
      buildsEnabled: account !== undefined,
      canPush: (url) => ['local', 'token', 'key'].includes(accessOf(url, access)),
    },
    docs,
    options,
  );
}

/** Stand-ins for a project's repositories: an application with a client origin, and its carbon repository. */
export function exampleRepositories(id: string): RepositoryRequest {
  const slug = id.toLowerCase();
  return {
    urls: [`github.com/your-org/${slug}-app.git`, `github.com/your-org/${slug}-carbon.git`],
    origins: [`${slug}-app=github.com/client-org/${slug}-app.git`],
  };
}

/** A project id is free when no other module has it, ignoring case (folders differ only by case on macOS). */
function refuseTakenId(
  root: string,
  id: string,
  target: string,
  projects: { id: string; source: { file: string; exportName: string } }[],
): void {
  const taken = projects.find(
    (project) =>
      project.id.toLowerCase() === id.toLowerCase() && resolve(project.source.file) !== target,
  );
  if (!taken) return;
  const where = `${relative(root, taken.source.file)} (export ${taken.source.exportName})`;
  throw new UserError(
    taken.id === id
      ? `project id "${id}" is taken: ${where} has it; choose another id`
      : `project id "${id}" differs only in case from "${taken.id}" of ${where}; generated folders and ECR repositories would collide: choose another id`,
  );
}
