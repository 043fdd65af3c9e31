// The text of a new project module, projects/<project>.ts: every settings field of a project, its
// repositories, their builds, syncs and remotes, written or commented out with an example, each
// documented where it first appears. What is written compiles: builds are enabled only when an
// AWS account is known, and a sync is written live only when the workspace may push to its target.
import { conventionalEcsNames } from '../resolve/links.ts';
import { LiteralWriter, comment, commented, example, type Field, type Value } from './literal.ts';
import { exampleText, type SettingsDocs } from './docs.ts';
import type { PlannedRepository, RepositoryPlan } from './repositories.ts';

export interface ProjectModuleInput {
  id: string;
  name: string;
  plan: RepositoryPlan;
  /** Default branch of the agency's and the client's repositories, and the build branch. */
  branch: string;
  /** Whether carbon.config.ts sets an AWS account: builds need one. */
  buildsEnabled: boolean;
  /** Whether the workspace has a credential that may push to a git URL: a sync needs one for its target. */
  canPush: (url: string) => boolean;
}

export interface ProjectModule {
  text: string;
  exportName: string;
  /** What is left for the user to do, in sentences. */
  todo: string[];
}

const HOURLY = '0 * * * *';

export function projectModule(
  input: ProjectModuleInput,
  docs: SettingsDocs,
  /** Write the commented examples live: how tests check that each would type-check. */
  options: { live?: boolean } = {},
): ProjectModule {
  const { id, plan } = input;
  const writer = new LiteralWriter(docs, options);
  const exampleField = (key: string, doc: string) => example(docs, key, doc);
  const todo = todoOf(input);
  const carbonRepo = plan.carbon ?? `${id}-carbon`;
  const built = builtRepositories(plan);

  let firstBuild = true;
  const build = (repository: PlannedRepository): Field => {
    const full = firstBuild;
    firstBuild = false;
    const names = conventionalEcsNames(id, repository.id, input.branch, carbonRepo);
    const other = built.find((candidate) => candidate.id !== repository.id);
    const fields: Field[] = [
      {
        key: 'enabled',
        doc: 'BuildSettings.enabled',
        value: input.buildsEnabled,
        ...(input.buildsEnabled
          ? {}
          : { note: ['Disabled until an AWS account is set: aws.accountId in carbon.config.ts.'] }),
      },
      ...(full
        ? [
            commented('strategy', 'BuildSettings.strategy', 'ecs'),
            commented('job', 'BuildSettings.job', 'CarbonBuild'),
          ]
        : []),
      { key: 'branch', doc: 'BuildSettings.branch', value: input.branch },
      { key: 'carbonRepo', doc: 'BuildSettings.carbonRepo', value: carbonRepo },
      ...(full
        ? [
            commented('carbonBranch', 'BuildSettings.carbonBranch', input.branch),
            commented(
              'branches',
              'BuildSettings.branches',
              other
                ? { object: [{ key: other.id, value: input.branch }] }
                : { code: exampleText(docs, 'BuildSettings.branches') },
            ),
            commented('rebuildOn', 'BuildSettings.rebuildOn', {
              array: [carbonRepo, ...(other ? [other.id] : [])].map((name) => ({ value: name })),
            }),
            {
              key: 'ecs',
              doc: 'BuildSettings.ecs',
              value: {
                object: [
                  commented('ecrRepository', 'EcsSettings.ecrRepository', names.ecrRepository),
                  commented('cluster', 'EcsSettings.cluster', names.cluster),
                  commented('service', 'EcsSettings.service', names.service),
                  commented('container', 'EcsSettings.container', names.container),
                  commented('dockerfile', 'EcsSettings.dockerfile', names.dockerfile),
                  commented('context', 'EcsSettings.context', names.context),
                  commented('deploy', 'EcsSettings.deploy', 'ecs_service'),
                  exampleField('hook', 'EcsSettings.hook'),
                ],
              },
            },
            exampleField('provision', 'BuildSettings.provision'),
          ]
        : []),
    ];
    if (plan.carbon !== undefined)
      return { key: 'build', doc: 'RepositorySettings.build', value: { object: fields } };
    return {
      key: 'build',
      doc: 'RepositorySettings.build',
      value: { object: fields },
      commented: true,
      ...(full
        ? {
            note: [
              `Uncomment once the carbon repository (here "${carbonRepo}") is one of the repositories.`,
            ],
          }
        : {}),
    };
  };

  const syncRule = (): Value => ({
    object: [
      { key: 'direction', doc: 'SyncRule.direction', value: 'local' },
      { key: 'cron', doc: 'SyncRule.cron', value: HOURLY },
      {
        key: 'branches',
        doc: 'SyncRule.branches',
        value: {
          object: [
            { key: 'origin', doc: 'SyncRule.branches.origin', value: input.branch },
            { key: 'local', doc: 'SyncRule.branches.local', value: `sync/${input.branch}` },
          ],
        },
      },
    ],
  });

  const repository = (entry: PlannedRepository, index: number): Value => {
    const first = index === 0;
    const isCarbon = entry.id === plan.carbon;
    const fields: Field[] = [
      { key: 'id', doc: 'RepositorySettings.id', value: entry.id },
      { key: 'name', doc: 'RepositorySettings.name', value: entry.name },
    ];
    if (!isCarbon && entry.build !== false) fields.push(build(entry));
    if (entry.origin !== undefined) {
      const live = input.canPush(entry.local);
      fields.push({
        key: 'sync',
        doc: 'RepositorySettings.sync',
        value: {
          array: [
            {
              value: syncRule(),
              note: [
                live
                  ? `Every hour, copy the client's ${input.branch} into sync/${input.branch} here (fast-forward only).`
                  : `Uncomment to copy the client's ${input.branch} into sync/${input.branch} here every hour, once git.sshKeys in carbon.config.ts has a key that may push to ${entry.local}.`,
              ],
              commented: !live,
            },
          ],
        },
      });
    } else if (first) {
      fields.push({
        key: 'sync',
        doc: 'RepositorySettings.sync',
        value: { array: [{ value: syncRule() }] },
        commented: true,
      });
    }
    fields.push({
      key: 'local',
      doc: 'RepositorySettings.local',
      value: {
        object: [
          { key: 'git', doc: 'LocalRemote.git', value: entry.local },
          { key: 'defaultBranch', doc: 'LocalRemote.defaultBranch', value: input.branch },
        ],
      },
    });
    if (entry.origin !== undefined || first) {
      const origin = entry.origin ?? `github.com/client-org/${entry.id.toLowerCase()}.git`;
      fields.push({
        key: 'origin',
        doc: 'RepositorySettings.origin',
        commented: entry.origin === undefined,
        value: {
          object: [
            { key: 'git', doc: 'LocalRemote.git', value: origin },
            { key: 'defaultBranch', doc: 'LocalRemote.defaultBranch', value: input.branch },
            commented('defaultBranchFrom', 'OriginRemote.defaultBranchFrom', input.branch),
          ],
        },
      });
    }
    return { object: fields };
  };

  const project: Field[] = [
    { key: 'id', doc: 'ProjectSettings.id', value: id },
    { key: 'name', doc: 'ProjectSettings.name', value: input.name },
    commented(
      'projectKey',
      'ProjectSettings.projectKey',
      jiraKey(id) ?? { code: exampleText(docs, 'ProjectSettings.projectKey') },
    ),
    exampleField('boardId', 'ProjectSettings.boardId'),
    exampleField('avatar', 'ProjectSettings.avatar'),
    exampleField('hero', 'ProjectSettings.hero'),
    {
      key: 'aws',
      doc: 'ProjectSettings.aws',
      value: {
        object: [
          exampleField('region', 'AwsSettings.region'),
          exampleField('accountId', 'AwsSettings.accountId'),
          exampleField('roleArn', 'AwsSettings.roleArn'),
        ],
      },
    },
    {
      key: 'repositories',
      doc: 'ProjectSettings.repositories',
      value: {
        array: plan.repositories.map((entry, index) => ({
          value: repository(entry, index),
          ...(entry.id === plan.carbon
            ? {
                note: [
                  'The carbon repository: the Dockerfiles (<repository id>/Dockerfile) and deploy hooks of the builds above. It is not built itself.',
                ],
              }
            : {}),
        })),
      },
    },
  ];

  const exportName = exportNameOf(id);
  const header = [
    `${input.name}: a client project of this Carbon workspace, written by \`carbon new\`. Each field says what it means (and its default) where it first appears; optional fields are commented out with an example. Your editor shows the same text when you hover a field. After a change, run \`npm run generate\` and commit this file with what it generated.`,
  ];
  const lines = [
    ...header.flatMap((text) => comment(text, '')),
    "import { defineProject } from 'carbon';",
    '',
    ...writer.value({ object: project }, '', `export const ${exportName} = defineProject(`),
  ];
  lines[lines.length - 1] += ');';
  return { text: `${lines.join('\n')}\n`, exportName, todo };
}

/** What the module leaves for the user to do, in sentences: what it could not write live. */
function todoOf(input: ProjectModuleInput): string[] {
  const { plan } = input;
  const todo: string[] = [];
  const built = builtRepositories(plan);
  if (plan.carbon === undefined && built.length > 0)
    todo.push(
      'no repository is the carbon repository (none was given with --carbon URL, and no name ends in "carbon"), ' +
        `so the builds are commented out: add the repository that holds the Dockerfiles, set carbonRepo to its id and uncomment the builds`,
    );
  else if (plan.repositories.every((repository) => repository.id === plan.carbon))
    todo.push(
      'only the carbon repository was given: add the repositories it builds (`carbon new --force` with every URL, or by hand)',
    );
  if (!input.buildsEnabled && plan.carbon !== undefined && built.length > 0)
    todo.push(
      'the builds are written disabled because no AWS account is set: set aws.accountId in carbon.config.ts ' +
        '(or in the project), then enabled: true',
    );
  const blockedSyncs = plan.repositories.filter(
    (repository) => repository.origin !== undefined && !input.canPush(repository.local),
  );
  if (blockedSyncs.length > 0)
    todo.push(
      `the hourly sync of ${blockedSyncs.map((repository) => repository.id).join(', ')} is commented out: ` +
        'a sync pushes to the agency repository, which needs a git.sshKeys entry with write access in ' +
        'carbon.config.ts (or git.transport "https"); add it, then uncomment the sync',
    );
  return todo;
}

/** A Jira key made from the project id (`acme` → `ACME`), when one can be. */
function jiraKey(id: string): string | undefined {
  const key = id
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .slice(0, 10);
  return /^[A-Z][A-Z0-9_]{1,9}$/.test(key) ? key : undefined;
}

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false ' +
    'finally for function if import in instanceof new null return super switch this throw true try ' +
    'typeof var void while with yield let static implements interface package private protected public ' +
    'await defineProject'
  ).split(' '),
);

/** The export's name: the id in camelCase, a valid identifier (`big-client` → `bigClient`). */
export function exportNameOf(id: string): string {
  const [head = '', ...rest] = id.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name =
    head.charAt(0).toLowerCase() +
    head.slice(1) +
    rest.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  if (/^[0-9]/.test(name)) return `project${name}`;
  return RESERVED.has(name) ? `${name}Project` : name;
}

/** The repositories that get a build: all but the carbon repository and those that only sync. */
function builtRepositories(plan: RepositoryPlan): PlannedRepository[] {
  return plan.repositories.filter(
    (repository) => repository.id !== plan.carbon && repository.build !== false,
  );
}
