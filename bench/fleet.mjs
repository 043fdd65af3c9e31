// A synthetic fleet: N client projects of 5 repositories each, varied the way real ones are (links
// between repositories, sync rules in both directions, ECS overrides, hooks, disabled builds).
// Fleets differ in two ways agencies do: how git.sshKeys opens the repositories (KEYS), and whether
// the project modules are plain data or code that calls a shared helper module.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const CRONS = [
  '0 * * * *',
  '0 */2 * * *',
  '0 6 * * 1-5',
  '0 0 * * *',
  '*/30 * * * *',
  '0 3 1,15 * *',
];

// What an agency writes once, in projects/_helpers.ts, for every project module to import. Plain
// JavaScript, which is TypeScript too: the helpers fleets' _helpers.ts is these functions' own
// text, and the plain fleets are built with them, so both kinds of fleet hold the same settings.
const agencyGit = (project, name) => `github.com/BlackstoneStudio/${project}-${name}.git`;
const clientGit = (owner, name) => `github.com/${owner}/${name.toLowerCase()}.git`;
const fromClient = (cron, branch) => ({
  direction: 'local',
  cron,
  branches: { origin: branch, local: `sync/${branch}` },
});
const carbonRepository = (project, branch) => ({
  id: `${project}-carbon`,
  name: `${project} Carbon`,
  local: { git: agencyGit(project, 'carbon'), defaultBranch: branch },
});

/**
 * Each helper, and the arguments it would be called with to make a value (when it could make it:
 * a value is written as a call only when the call gives exactly that value).
 */
const HELPERS = {
  agencyGit: {
    make: agencyGit,
    args: (value) => /^github\.com\/BlackstoneStudio\/(.+)-([a-z]+)\.git$/.exec(value)?.slice(1),
  },
  clientGit: {
    make: clientGit,
    args: (value) => /^github\.com\/([^/]+)\/([a-z]+)\.git$/.exec(value)?.slice(1),
  },
  fromClient: {
    make: fromClient,
    args: (value) => value.direction === 'local' && [value.cron, value.branches?.origin],
  },
  carbonRepository: {
    make: carbonRepository,
    args: (value) =>
      String(value.id).endsWith('-carbon') && [value.id.slice(0, -7), value.local?.defaultBranch],
  },
};

function project(index, warnings) {
  const id = `client${String(index).padStart(4, '0')}`;
  const owner = `Client-${index}-Org`;
  const branch = index % 3 === 0 ? 'main' : 'develop';
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
        // A pinned minute CircleCI cannot keep: one cron-minutes-lost warning per project.
        fromClient(warnings ? `${1 + (index % 59)} */2 * * *` : cron(0), branch),
      ],
      local: { git: agencyGit(id, 'api'), defaultBranch: branch },
      origin: { git: clientGit(owner, 'api'), defaultBranch: branch },
    },
    {
      id: `${id}-app`,
      name: `${id} App`,
      build: { branch, carbonRepo: `${id}-carbon`, branches: { [`${id}-api`]: branch } },
      sync: [
        fromClient(cron(1), branch),
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
      local: { git: agencyGit(id, 'app'), defaultBranch: branch },
      origin: { git: clientGit(owner, 'app'), defaultBranch: branch },
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
      local: { git: agencyGit(id, 'admin'), defaultBranch: branch },
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
      sync: index % 3 === 0 ? [fromClient(cron(3), 'main')] : [],
      local: { git: agencyGit(id, 'worker'), defaultBranch: 'main' },
      origin: { git: clientGit(owner, 'worker'), defaultBranch: 'main' },
    },
    carbonRepository(id, branch),
  ];
  return {
    id,
    name: `Client ${index}`,
    projectKey: `C${index}`.slice(0, 10),
    boardId: String(100 + index),
    repositories,
  };
}

/** A fingerprint of the form CircleCI shows, one per key. */
const fingerprint = (name) =>
  `SHA256:${createHash('sha256').update(name).digest('base64').slice(0, 43)}`;

/** `host/owner` or `host/owner/repo` of the git URLs each project's keys open, by kind of fleet. */
export const KEYS = {
  /** One key for everything on the host (a machine user's). */
  one: () => ['github.com'],
  /** A key per organisation: the agency's, and each client's (a machine user in each). */
  organisation: (projects) => [
    'github.com/BlackstoneStudio',
    ...projects.map((p) => `github.com/Client-${p.index}-Org`),
  ],
  /**
   * A deploy key per agency repository (one repository each, as GitHub's deploy keys), and a key
   * per client organisation: six keys a project.
   */
  repository: (projects) =>
    projects.flatMap((p) => [
      ...p.settings.repositories.map(({ local }) => local.git.replace(/\.git$/, '')),
      `github.com/Client-${p.index}-Org`,
    ]),
};

/** `value` as TypeScript, every part a helper makes written as a call of that helper. */
function code(value, depth = 0) {
  const call = helperCall(value);
  if (call) return call;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const pad = '  '.repeat(depth + 1);
  const items = Array.isArray(value)
    ? value.map((item) => code(item, depth + 1))
    : Object.entries(value).map(
        ([key, item]) => `${JSON.stringify(key)}: ${code(item, depth + 1)}`,
      );
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return `${open}${close}`;
  return `${open}\n${items.map((item) => `${pad}${item}`).join(',\n')}\n${'  '.repeat(depth)}${close}`;
}

/** The call of a helper that makes exactly `value`, if one does. */
function helperCall(value) {
  if (value === null || value === undefined) return undefined;
  for (const [name, { make, args }] of Object.entries(HELPERS)) {
    const found = args(value);
    if (found && isDeepStrictEqual(make(...found), value))
      return `${name}(${found.map((arg) => JSON.stringify(arg)).join(', ')})`;
  }
  return undefined;
}

/** projects/_helpers.ts of the helpers fleets: the helpers' own text. */
const helpersModule = () =>
  '// How this agency writes its projects: every project module imports these.\n\n' +
  Object.entries(HELPERS)
    .map(([name, { make }]) => `export const ${name} = ${make.toString()};\n`)
    .join('\n');

/**
 * Writes the workspace of `count` projects into `root` (projects/ and carbon.config.ts): with
 * `warnings`, each project has one warning (a cron at a minute a CircleCI timetable cannot pin);
 * `keys` says which git.sshKeys open the repositories (KEYS); with `helpers`, every project module
 * is code that imports projects/_helpers.ts, else plain data. The settings are the same either way.
 */
export function writeFleet(root, count, { warnings = false, keys = 'one', helpers = false } = {}) {
  mkdirSync(join(root, 'projects'), { recursive: true });
  const projects = Array.from({ length: count }, (_, i) => ({
    index: i + 1,
    settings: project(i + 1, warnings),
  }));
  const sshKeys = Object.fromEntries(KEYS[keys](projects).map((key) => [key, fingerprint(key)]));
  const config = {
    aws: { accountId: '123456789012', region: 'eu-west-1' },
    // An agency of this size publishes its orb: configs reference it (inline, every config would
    // carry the whole orb).
    orb: { namespace: 'fleet-agency' },
    // Builds are rebuilt when what they check out changes (cascades), with this context's token.
    circleci: { context: 'carbon-aws', cascadeContext: 'carbon-circleci' },
    git: { sshKeys },
  };
  writeFileSync(
    join(root, 'carbon.config.ts'),
    `import { defineConfig } from 'carbon';\n\nexport default defineConfig(${JSON.stringify(config, null, 2)});\n`,
  );
  if (helpers) writeFileSync(join(root, 'projects', '_helpers.ts'), helpersModule());
  for (const { settings } of projects) {
    const body = helpers ? code(settings) : JSON.stringify(settings, null, 2);
    const used = Object.keys(HELPERS).filter((name) => body.includes(`${name}(`));
    writeFileSync(
      join(root, 'projects', `${settings.id}.ts`),
      "import { defineProject } from 'carbon';\n" +
        (helpers ? `import { ${used.join(', ')} } from './_helpers';\n` : '') +
        `\nexport const ${settings.id} = defineProject(${body});\n`,
    );
  }
}
