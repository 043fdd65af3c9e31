// A synthetic fleet: N client projects of 5 repositories each, varied the way real ones are (links
// between repositories, sync rules in both directions, ECS overrides, hooks, disabled builds).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CRONS = [
  '0 * * * *',
  '0 */2 * * *',
  '0 6 * * 1-5',
  '0 0 * * *',
  '*/30 * * * *',
  '0 3 1,15 * *',
];

function project(index, warnings) {
  const id = `client${String(index).padStart(4, '0')}`;
  const owner = `Client-${index}-Org`;
  const branch = index % 3 === 0 ? 'main' : 'develop';
  const repo = (name) => `github.com/BlackstoneStudio/${id}-${name}.git`;
  const origin = (name) => `github.com/${owner}/${name.toLowerCase()}.git`;
  const cron = (offset) => CRONS[(index + offset) % CRONS.length];
  const repositories = [
    {
      id: `${id}-api`,
      name: `${id} API`,
      build: {
        enabled: true,
        branch,
        carbonRepo: `${id}-carbon`,
        branches: {
          [`${id}-app`]: branch,
          [`${id}-admin`]: branch,
          ...(index % 2 ? { [`${id}-worker`]: 'main' } : {}),
        },
        ...(index % 5 === 0
          ? { ecs: { cluster: `${id}-shared`, service: 'api', container: 'web' } }
          : {}),
      },
      sync: [
        {
          direction: 'local',
          // A pinned minute CircleCI cannot keep: one cron-minutes-lost warning per project.
          cron: warnings ? `${1 + (index % 59)} */2 * * *` : cron(0),
          branches: { origin: branch, local: `sync/${branch}` },
        },
      ],
      local: { git: repo('api'), defaultBranch: branch },
      origin: { git: origin('api'), defaultBranch: branch },
    },
    {
      id: `${id}-app`,
      name: `${id} App`,
      build: { branch, carbonRepo: `${id}-carbon`, branches: { [`${id}-api`]: branch } },
      sync: [
        {
          direction: 'local',
          cron: cron(1),
          branches: { origin: branch, local: `sync/${branch}` },
        },
        ...(index % 4 === 0
          ? [
              {
                direction: 'origin',
                cron: cron(2),
                branches: { origin: 'agency/release', local: 'release/client' },
              },
            ]
          : []),
      ],
      local: { git: repo('app'), defaultBranch: branch },
      origin: { git: origin('app'), defaultBranch: branch },
    },
    {
      id: `${id}-admin`,
      name: `${id} Admin`,
      build: {
        branch,
        carbonRepo: `${id}-carbon`,
        branches: { [`${id}-api`]: branch },
        ecs:
          index % 2 === 0
            ? { deploy: 'hook', hook: 'deploy/admin.sh' }
            : { deploy: 'none', ecrRepository: `${id}/admin-image` },
      },
      local: { git: repo('admin'), defaultBranch: branch },
    },
    {
      id: `${id}-worker`,
      name: `${id} Worker`,
      build: {
        enabled: index % 7 !== 0,
        branch: 'main',
        carbonRepo: `${id}-carbon`,
        carbonBranch: branch,
      },
      sync:
        index % 3 === 0
          ? [
              {
                direction: 'local',
                cron: cron(3),
                branches: { origin: 'main', local: 'sync/main' },
              },
            ]
          : [],
      local: { git: repo('worker'), defaultBranch: 'main' },
      origin: { git: origin('worker'), defaultBranch: 'main' },
    },
    {
      id: `${id}-carbon`,
      name: `${id} Carbon`,
      local: { git: repo('carbon'), defaultBranch: branch },
    },
  ];
  return {
    id,
    name: `Client ${index}`,
    projectKey: `C${index}`.slice(0, 10),
    boardId: String(100 + index),
    repositories,
  };
}

/**
 * Writes the workspace of `count` projects into `root` (projects/ and carbon.config.ts); with
 * `warnings`, each project has one warning (a cron at a minute a CircleCI timetable cannot pin).
 */
export function writeFleet(root, count, { warnings = false } = {}) {
  mkdirSync(join(root, 'projects'), { recursive: true });
  writeFileSync(
    join(root, 'carbon.config.ts'),
    "import { defineConfig } from 'carbon';\n\nexport default defineConfig({ aws: { accountId: '123456789012', region: 'eu-west-1' }, circleci: { context: 'carbon-aws' }, git: { sshKeys: { 'github.com': 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk' } } });\n",
  );
  for (let index = 1; index <= count; index++) {
    const settings = project(index, warnings);
    writeFileSync(
      join(root, 'projects', `${settings.id}.ts`),
      `import { defineProject } from 'carbon';\n\nexport const ${settings.id} = defineProject(${JSON.stringify(settings, null, 2)});\n`,
    );
  }
}
