// `carbon run <project>/<repository> <workflow>`: finds the generated config of a repository, the
// orb it uses (inline, or the workspace's orb.yml standing in for the registry or URL orb), and a
// job of the workflow, processes it, and either prints its steps (--dry-run) or runs them here.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { compileSettings } from '../compile/resolved-settings.ts';
import { concerning, hasErrors, type Diagnostic } from '../diagnostics.ts';
import { ORB_ALIAS } from '../emit/config.ts';
import { GENERATED_FOLDER, ORB_FILE } from '../output/layout.ts';
import { renderYaml, type YamlValue } from '../emit/yaml.ts';
import { emitProject, orbReference } from '../emit/emit.ts';
import { packOrbCached } from '../emit/orb.ts';
import { ORB_TEMPLATES } from '../paths.ts';
import type { ResolvedProject, Workspace } from '../resolve/model.ts';
import { UserError } from '../errors.ts';
import { didYouMean } from '../suggest.ts';
import { isMap } from '../emit/yaml.ts';
import { invocation, type ParameterDefinition } from '../validate/semantics.ts';
import { executeJob, type ExecuteResult } from './execute.ts';
import { processJob, type ProcessedJob } from './process.ts';
import { findKeys } from './ssh-keys.ts';

type Map = { [key: string]: YamlValue };

export interface RunRequest {
  root: string;
  /** `project/repository`. */
  target: string;
  /** The workflow to run; without it, the workflows are listed. */
  workflow?: string;
  job?: string;
  /** `name=value` overrides of the job's parameters. */
  params: string[];
  branch?: string;
  commit?: string;
  workdir?: string;
  keep?: boolean;
  dryRun?: boolean;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
}

export interface Prepared {
  job: ProcessedJob;
  repository: { name: string; url: string };
  branch: string;
  /** Problems of the settings found on the way (warnings only: errors throw). */
  diagnostics: Diagnostic[];
}

export async function prepareRun(request: RunRequest): Promise<Prepared> {
  const [projectId, repositoryId, extra] = request.target.split('/');
  if (!projectId || !repositoryId || extra !== undefined) {
    throw new UserError(
      `${JSON.stringify(request.target)} is not <project>/<repository>, as taxaroo/Taxaroo-API-V2`,
    );
  }
  const compiled = await compileSettings(request.root, request.env);
  if (hasErrors(compiled.diagnostics) || !compiled.workspace) {
    throw new UserError('the settings have errors: run `carbon generate` to see them');
  }
  const project = compiled.workspace.projects.find((p) => p.id === projectId);
  if (!project) {
    throw new UserError(
      `there is no project ${JSON.stringify(projectId)}${didYouMean(
        projectId,
        compiled.workspace.projects.map((p) => p.id),
      )}`,
    );
  }
  const repository = project.repositories.find((r) => r.id === repositoryId);
  if (!repository) {
    throw new UserError(
      `project ${projectId} has no repository ${JSON.stringify(repositoryId)}${didYouMean(
        repositoryId,
        project.repositories.map((r) => r.id),
      )}`,
    );
  }
  const configPath = `${GENERATED_FOLDER}/${projectId}/${repositoryId}/.circleci/config.yml`;
  const text = readText(
    request.root,
    configPath,
    'run `carbon generate` first (a repository gets a config when it builds or syncs)',
  );
  const config = parseYamlMap(text, configPath);
  if (text !== expectedConfig(compiled.workspace, project, configPath, request.root))
    request.out(
      `carbon run: warning: ${configPath} is stale: the settings give another config now; ` +
        'this rehearses the file on disk, so run `carbon generate` first to rehearse the settings\n',
    );
  const workflows = isMap(config['workflows']) ? config['workflows'] : {};
  const names = Object.keys(workflows);
  if (request.workflow === undefined)
    throw new UserError(
      `name the workflow to run: ${configPath} has ${names.map((name) => JSON.stringify(name)).join(', ')} (carbon run ${request.target} <workflow>)`,
    );
  const workflow = workflows[request.workflow];
  if (!isMap(workflow) || !Array.isArray(workflow['jobs'])) {
    throw new UserError(
      `${configPath} has no workflow ${JSON.stringify(request.workflow)}${didYouMean(request.workflow, names)}; its workflows: ${names.join(', ')}`,
    );
  }
  const [jobName, given] = pickJob(workflow['jobs'], request.job, request.workflow, request.out);
  const orb = orbOf(config, request.root, request.out);
  const overrides = parseParams(request.params, orb, jobName);
  const job = processJob(orb, ORB_ALIAS, jobName, given, overrides);
  const branch =
    request.branch ?? filteredBranch(given['filters']) ?? repository.local.defaultBranch;
  // A file:// mirror is cloned as written; a remote as the configs write it (ssh or https).
  return {
    job,
    repository: { name: repositoryId, url: repository.local.url },
    branch,
    diagnostics: concerning(
      compiled.diagnostics,
      compiled.workspace.projects.map((other) => other.source.file),
      [project.source.file],
    ),
  };
}

export function runPrepared(prepared: Prepared, request: RunRequest): Promise<ExecuteResult> {
  return executeJob({
    job: prepared.job,
    repository: prepared.repository,
    branch: prepared.branch,
    ...(request.commit ? { commit: request.commit } : {}),
    ...(request.workdir ? { workdir: request.workdir } : {}),
    keep: request.keep ?? false,
    env: request.env,
    out: request.out,
  });
}

/** The steps and commands of a processed job, as --dry-run prints them. */
/** `userHome`: where your ~/.ssh is, whose keys add_ssh_keys would take. */
export function describeJob(prepared: Prepared, userHome: string): string {
  const { job } = prepared;
  const checksOut = job.steps.some((step) => step.kind === 'checkout');
  const lines = [
    `${job.name}${job.image ? ` (CircleCI image ${job.image})` : ''}`,
    ...(checksOut ? [`checkout source: ${prepared.repository.url} at ${prepared.branch}`] : []),
    'parameters:',
    ...Object.entries(job.parameters).map(([name, value]) =>
      aligned(`  ${name}: `, typeof value === 'string' ? value : JSON.stringify(value)),
    ),
    '',
  ];
  job.steps.forEach((step, index) => {
    const number = `${index + 1}.`;
    switch (step.kind) {
      case 'run':
        lines.push(`${number} run: ${step.name}`);
        for (const [name, value] of Object.entries(step.environment))
          lines.push(aligned(`     ${name}=`, value));
        lines.push(
          ...step.command
            .trimEnd()
            .split('\n')
            .map((line) => `     | ${line}`),
        );
        break;
      case 'checkout':
        lines.push(`${number} checkout${step.path ? ` into ${step.path}` : ''}`);
        break;
      case 'add_ssh_keys':
        if (step.fingerprints.length === 0) lines.push(`${number} add_ssh_keys: your ssh-agent`);
        // Said as the real run would find them: a key is claimed only when one has the fingerprint.
        for (const { fingerprint, key } of findKeys(step.fingerprints, userHome))
          lines.push(
            key
              ? `${number} add_ssh_keys: ${fingerprint}, from your ~/.ssh (${basename(key)})`
              : `${number} add_ssh_keys: ${fingerprint}: no key in your ~/.ssh has it (a private key with its .pub beside it), so the steps that need it would fail`,
          );
        break;
      case 'setup_remote_docker':
        lines.push(`${number} setup_remote_docker (skipped: the docker on your PATH serves)`);
        break;
      case 'other':
        lines.push(`${number} ${step.name} (carbon run cannot carry it out)`);
        break;
    }
  });
  return `${lines.join('\n')}\n`;
}

/** A value after its head, the lines of a multi-line value aligned under the first. */
function aligned(head: string, value: string): string {
  const [first, ...rest] = value.replace(/\n$/, '').split('\n');
  return [`${head}${first}`, ...rest.map((line) => `${' '.repeat(head.length)}${line}`)].join('\n');
}

/**
 * The one branch a job's filters allow: `pipeline.git.branch == "x"` (alone, or first of an `and`,
 * as a cascade's filter), or `branches: only: x`.
 */
function filteredBranch(filters: YamlValue | undefined): string | undefined {
  if (typeof filters === 'string')
    return /^\s*pipeline\.git\.branch\s*==\s*"([^"]+)"\s*(?:$|and\s)/.exec(filters)?.[1];
  const only =
    isMap(filters) && isMap(filters['branches']) ? filters['branches']['only'] : undefined;
  return typeof only === 'string' ? only : undefined;
}

function readText(root: string, path: string, hint: string): string {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    throw new UserError(`${path} does not exist: ${hint}`);
  }
}

function parseYamlMap(text: string, path: string): Map {
  let value: YamlValue;
  try {
    value = parse(text) as YamlValue;
  } catch (error) {
    throw new UserError(`${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (!isMap(value)) throw new UserError(`${path} is not a YAML mapping`);
  return value;
}

function readYaml(root: string, path: string, hint: string): Map {
  return parseYamlMap(readText(root, path, hint), path);
}

/** The config generate would write for this repository now. */
function expectedConfig(
  workspace: Workspace,
  project: ResolvedProject,
  path: string,
  root: string,
): string | undefined {
  const reference = orbReference(workspace.config, packOrbCached(ORB_TEMPLATES));
  const artifact = emitProject(project, workspace.config, reference, root).find(
    (candidate) => candidate.path === path,
  );
  return artifact && renderYaml(artifact.document, artifact.header);
}

function pickJob(
  jobs: YamlValue[],
  wanted: string | undefined,
  workflow: string,
  out: (text: string) => void,
): [string, Map] {
  const entries = jobs.map((entry) => invocation(entry));
  const named = entries.map(([name, given]) =>
    typeof given['name'] === 'string' ? given['name'] : name,
  );
  // The first job is the workflow's own (a build, a sync); a later one follows it (a cascade).
  if (entries.length === 0) throw new UserError(`workflow ${workflow} has no job to rehearse`);
  if (wanted === undefined) {
    if (entries.length > 1)
      out(
        `carbon run: workflow ${workflow} has ${entries.length} jobs (${named.join(', ')}): rehearsing ${named[0]}; --job names another\n`,
      );
    return entries[0]!;
  }
  const index = named.indexOf(wanted);
  if (index < 0)
    throw new UserError(
      `workflow ${workflow} has no job ${JSON.stringify(wanted)}${didYouMean(wanted, named)}; its jobs: ${named.join(', ')}`,
    );
  return entries[index]!;
}

function orbOf(config: Map, root: string, out: (text: string) => void): Map {
  const orbs = isMap(config['orbs']) ? config['orbs'] : {};
  const reference = orbs[ORB_ALIAS];
  if (isMap(reference)) return reference;
  if (typeof reference !== 'string')
    throw new UserError(`the config uses no orb named ${ORB_ALIAS}`);
  out(`carbon run: ${reference} is played by the workspace's ${ORB_FILE}\n`);
  return readYaml(root, ORB_FILE, 'run `carbon generate` first');
}

/** `--param name=value`, read as the type the job declares for `name`. */
function parseParams(params: string[], orb: Map, jobName: string): Map {
  const jobs = isMap(orb['jobs']) ? orb['jobs'] : {};
  const job = jobs[jobName.slice(ORB_ALIAS.length + 1)];
  const declared = (isMap(job) && isMap(job['parameters']) ? job['parameters'] : {}) as {
    [name: string]: ParameterDefinition;
  };
  const overrides: Map = {};
  for (const param of params) {
    const equals = param.indexOf('=');
    if (equals <= 0) throw new UserError(`--param ${JSON.stringify(param)} is not name=value`);
    const name = param.slice(0, equals);
    const text = param.slice(equals + 1);
    const type = declared[name]?.type;
    if (type === 'integer') overrides[name] = /^-?\d+$/.test(text) ? Number(text) : text;
    else if (type === 'boolean')
      overrides[name] = text === 'true' ? true : text === 'false' ? false : text;
    else overrides[name] = text;
  }
  return overrides;
}
