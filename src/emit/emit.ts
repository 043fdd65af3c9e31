// emit: the resolved model and the packed orb -> the documents Carbon writes, each with its path,
// its header and the module it comes from. Nothing here reads or writes files.
import { relative } from 'node:path';
import type { ResolvedProject, ResolvedRepository, SyncPlan, Workspace } from '../resolve/model.ts';
import type { Config as Settings } from '../settings/schema.ts';
import type { OrbReference, Schedule, ScheduleTrigger } from './circleci.ts';
import { ORB_ALIAS, SCHEDULE_PARAMETER, needsConfig, repositoryConfig } from './config.ts';
import type { Orb } from './orb.ts';
import { toTimetable } from '../settings/timetable.ts';
import { isMap, type YamlValue } from './yaml.ts';
import {
  GENERATED_FOLDER,
  GENERATED_TEXT,
  ORB_FILE,
  headerText,
  orbName,
  orbTemplatesAt,
} from '../output/layout.ts';

export type ArtifactKind = 'config' | 'schedules' | 'orb';

export interface Artifact {
  /** Path relative to the workspace root, with `/` separators. */
  path: string;
  kind: ArtifactKind;
  document: YamlValue;
  /** Comment lines written above the document (the first starts with the generated marker). */
  header: string[];
}

/**
 * Words in the description of every object Carbon makes in CircleCI (schedules, pipeline
 * definitions): with the `carbon-` name prefix, what tells `carbon apply` the object is its own.
 */
export const MANAGED_MARKER = 'managed by Carbon';

/** Where a repository's generated config is, relative to the workspace root. */
export function configPath(projectId: string, repositoryId: string): string {
  return `${GENERATED_FOLDER}/${projectId}/${repositoryId}/.circleci/config.yml`;
}

/** Where a reader of a generated file (perhaps in an application repository) changes it. */
function changeIt(settings: Settings, what: string): string {
  const workspace =
    settings.workspace === undefined
      ? 'the Carbon workspace'
      : `the Carbon workspace ${headerText(settings.workspace)}`;
  return `To change it, edit ${what} in ${workspace} and run \`npm run generate\` there.`;
}

/** Everything a workspace writes: the orb, then each project's files. */
export function emitWorkspace(workspace: Workspace, orb: Orb, root: string): Artifact[] {
  const reference = orbReference(workspace.config, orb);
  return [
    orbArtifact(workspace.config, orb, root),
    ...workspace.projects.flatMap((project) =>
      emitProject(project, workspace.config, reference, root),
    ),
  ];
}

/** The config (and schedules) of every repository of a project that builds or syncs. */
export function emitProject(
  project: ResolvedProject,
  settings: Settings,
  reference: OrbReference,
  root: string,
): Artifact[] {
  const artifacts: Artifact[] = [];
  const module = relative(root, project.source.file).split('\\').join('/');
  for (const repository of project.repositories) {
    if (!needsConfig(repository)) continue;
    const path = configPath(project.id, repository.id);
    const source = `Source: ${headerText(module)}, project ${project.id}, repository ${repository.id}.`;
    const about = [GENERATED_TEXT, source, changeIt(settings, headerText(module))];
    artifacts.push({
      path,
      kind: 'config',
      document: repositoryConfig(repository, settings, reference),
      header: about,
    });
    const schedules = repositorySchedules(repository, settings);
    if (schedules === undefined) continue;
    artifacts.push({
      path: path.replace(/config\.yml$/, 'schedules.yml'),
      kind: 'schedules',
      document:
        schedules.kind === 'triggers'
          ? { triggers: schedules.triggers }
          : { schedules: schedules.schedules },
      header: [...about, '', ...SCHEDULES_ABOUT[schedules.kind]],
    });
  }
  return artifacts;
}

const SCHEDULES_ABOUT = {
  schedules: [
    "The schedule triggers of this repository's sync workflows, each as CircleCI's schedule API",
    'takes it (POST /api/v2/project/{project-slug}/schedule): `carbon apply` creates and updates them.',
  ],
  triggers: [
    "The schedule triggers of this repository's sync workflows, each as CircleCI's trigger API takes it",
    '(POST /api/v2/projects/{project_id}/pipeline-definitions/{id}/triggers): `carbon apply` creates',
    'and updates them.',
  ],
};

export type RepositorySchedules =
  { kind: 'schedules'; schedules: Schedule[] } | { kind: 'triggers'; triggers: ScheduleTrigger[] };

/**
 * The schedules of a repository's syncs, as CircleCI takes them: schedule API bodies for OAuth
 * projects, triggers of the pipeline definition for GitHub App ones; none when there is no sync,
 * or with legacy scheduled workflows (the config itself holds those). What schedules.yml lists and
 * what `carbon apply` creates: this one function makes both.
 */
export function repositorySchedules(
  repository: ResolvedRepository,
  settings: Settings,
): RepositorySchedules | undefined {
  if (settings.circleci.scheduling !== 'schedule-triggers' || repository.syncs.length === 0)
    return undefined;
  if (settings.circleci.integration === 'github-app')
    return { kind: 'triggers', triggers: scheduleTriggersOf(repository, settings) };
  return {
    kind: 'schedules',
    schedules: schedulesOf(
      repository.name,
      repository.local.defaultBranch,
      repository.syncs,
      settings,
    ),
  };
}

export function orbReference(settings: Settings, orb: Orb): OrbReference {
  const { reference, version, url } = settings.orb;
  if (reference === 'registry') return `${orbName(settings)}@${version}`;
  if (reference === 'url') return url!;
  // An inline orb holds only what configs run: the registry's documentation stays in orb.yml.
  const { version: _version, display: _display, examples: _examples, ...inline } = orb;
  return inline;
}

export function orbArtifact(settings: Settings, orb: Orb, root: string): Artifact {
  const { namespace, name, version } = settings.orb;
  const packed = `${orbName(settings)}@${version}`;
  return {
    path: ORB_FILE,
    kind: 'orb',
    // Without a namespace the examples name none either: a reader puts in their own.
    document: withExampleVersion(orb, `${namespace ?? '<namespace>'}/${name}@${version}`),
    header: [
      GENERATED_TEXT,
      `The orb ${packed}, packed from Carbon's orb templates (templates/orb/ in Carbon's source).`,
      `What the orb does comes with Carbon: to change it, ${orbTemplatesAt(root)}, set orb.version to a new version and run \`npm run generate\`${settings.workspace === undefined ? '' : ` in the Carbon workspace ${headerText(settings.workspace)}`}.`,
    ],
  };
}

/**
 * The examples show the orb as the registry publishes it: at the version being packed, whatever
 * their templates say, so that they never pin an older version.
 */
function withExampleVersion(orb: Orb, reference: string): Orb {
  const examples = orb['examples'];
  if (!isMap(examples)) return orb;
  const pinned: Orb = {};
  for (const [name, example] of Object.entries(examples)) {
    const usage = isMap(example) ? example['usage'] : undefined;
    pinned[name] =
      isMap(example) && isMap(usage) && isMap(usage['orbs'])
        ? { ...example, usage: { ...usage, orbs: { ...usage['orbs'], [ORB_ALIAS]: reference } } }
        : example;
  }
  return { ...orb, examples: pinned };
}

function schedulesOf(
  repositoryName: string,
  branch: string,
  syncs: SyncPlan[],
  settings: Settings,
): Schedule[] {
  return syncs.map((sync) => {
    const result = toTimetable(sync.cron);
    // The resolver refused every cron that has no timetable.
    if (!result.ok) throw new Error(`emit: ${sync.cron} has no timetable: ${result.reason}`);
    return {
      name: sync.name,
      description: `${repositoryName}, ${MANAGED_MARKER}: copy ${sync.from.side} ${sync.from.branch} into ${sync.to.side} ${sync.to.branch} (cron ${sync.cron} UTC)`,
      'attribution-actor': settings.circleci.scheduleActor,
      parameters: { branch, [SCHEDULE_PARAMETER]: sync.name },
      timetable: result.timetable,
    };
  });
}

/**
 * GitHub App schedules: each runs its cron on the branch OAuth schedules run on (the mirror's
 * default branch) with the config at the workspace's ref. A trigger has no description: the
 * `carbon-` event name and the pipeline definition it belongs to say it is Carbon's.
 */
function scheduleTriggersOf(repository: ResolvedRepository, settings: Settings): ScheduleTrigger[] {
  const configRef = settings.circleci.configRepository!.ref;
  return repository.syncs.map((sync) => ({
    event_name: sync.name,
    event_source: {
      provider: 'schedule',
      schedule: { cron_expression: sync.cron, attribution_actor: settings.circleci.scheduleActor },
    },
    checkout_ref: repository.local.defaultBranch,
    config_ref: configRef,
    parameters: { [SCHEDULE_PARAMETER]: sync.name },
    disabled: false,
  }));
}
