// Table tests: one broken setting per case, each asserting the code, the settings path and the line
// reported. The line expected is where the case's text carries the marker `/*!*/`, so the table
// also proves that diagnostics point at the offending property.
import { describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import { formatPath } from '../../src/diagnostics.ts';
import { TEST_KEY, makeWorkspace } from '../helpers/workspace.ts';

/**
 * The AWS account builds need, a key for each organisation the sample's URLs name, and the context
 * of the token OAuth cascades trigger builds with.
 */
const MINIMAL_CONFIG = `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/acme': '${TEST_KEY}', 'github.com/client': '${TEST_KEY}' } }, circleci: { cascadeContext: 'carbon-circleci' } };\n`;
/** The same for GitHub App projects, whose cascades are cross-repo triggers. */
const GITHUB_APP_CONFIG = `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/acme': '${TEST_KEY}', 'github.com/client': '${TEST_KEY}', 'github.com/other': '${TEST_KEY}' } }, circleci: { integration: 'github-app', configRepository: { githubId: 1 } } };\n`;

const API = `{
      id: 'Api',
      name: 'API',
      build: {
        enabled: true,
        strategy: 'ecs',
        job: 'CarbonBuild',
        branch: 'develop',
        carbonRepo: 'Carbon',
        carbonBranch: 'develop',
        branches: { Web: 'develop' },
      },
      sync: [{ direction: 'local', cron: '0 * * * *', branches: { origin: 'develop', local: 'sync/develop' } }],
      local: { git: 'github.com/acme/api.git', defaultBranch: 'develop' },
      origin: { git: 'github.com/client/api.git', defaultBranch: 'develop' },
    }`;
const WEB = `{ id: 'Web', name: 'Web', local: { git: 'github.com/acme/web.git' } }`;
const CARBON = `{ id: 'Carbon', name: 'Carbon', local: { git: 'github.com/acme/carbon.git' } }`;

interface Parts {
  head?: string;
  api?: string;
  others?: string;
}

function projectModule({
  head = "id: 'sample',\n  name: 'Sample',",
  api = API,
  others = `${WEB},\n    ${CARBON}`,
}: Parts): string {
  return `import { defineProject } from 'carbon';

export const sample = defineProject({
  ${head}
  repositories: [
    ${api},
    ${others},
  ],
});
`;
}

/** Replaces `find` in the API repository text, which must occur exactly once. */
function api(find: string, replace: string): Parts {
  if (API.split(find).length !== 2) throw new Error(`test bug: ${find} is not unique in API`);
  return { api: API.replace(find, replace) };
}

interface Case {
  name: string;
  parts: Parts;
  config?: string;
  code: string;
  path: string;
  severity?: 'error' | 'warning';
  /** A word the message must contain (the wrong value, a suggestion...). */
  mentions?: string;
}

const cases: Case[] = [
  {
    name: 'id with a space',
    parts: { head: "/*!*/id: 'my project',\n  name: 'Sample'," },
    code: 'invalid-id',
    path: 'id',
    mentions: '"my project"',
  },
  {
    name: 'empty name',
    parts: { head: "id: 'sample',\n  /*!*/name: ''," },
    code: 'too-small',
    path: 'name',
  },
  {
    name: 'lower-case Jira key',
    parts: { head: "id: 'sample',\n  name: 'S',\n  /*!*/projectKey: 'taxr'," },
    code: 'invalid-project-key',
    path: 'projectKey',
    mentions: '"taxr"',
  },
  {
    name: 'board id with letters',
    parts: { head: "id: 'sample',\n  name: 'S',\n  /*!*/boardId: 'b32'," },
    code: 'invalid-board-id',
    path: 'boardId',
    mentions: '"b32"',
  },
  {
    name: 'http avatar',
    parts: { head: "id: 'sample',\n  name: 'S',\n  /*!*/avatar: 'http://example.com/a.png'," },
    code: 'invalid-url',
    path: 'avatar',
    mentions: 'https',
  },
  {
    name: 'hero that is no URL',
    parts: { head: "id: 'sample',\n  name: 'S',\n  /*!*/hero: 'hero.png'," },
    code: 'invalid-url',
    path: 'hero',
  },
  {
    name: 'unknown project field',
    parts: { head: "id: 'sample',\n  name: 'S',\n  /*!*/boardID: '32'," },
    code: 'unknown-field',
    path: 'boardID',
    mentions: 'did you mean "boardId"',
  },
  {
    name: 'bad project AWS region',
    parts: { head: "id: 'sample',\n  name: 'S',\n  aws: { /*!*/region: 'Virginia' }," },
    code: 'invalid-aws-region',
    path: 'aws.region',
  },
  {
    name: 'repository id with a slash',
    parts: api("id: 'Api'", "/*!*/id: 'Api/v2'"),
    code: 'invalid-id',
    path: 'repositories[0].id',
  },
  {
    name: 'missing local',
    parts: { others: `/*!*/{ id: 'Web', name: 'Web' },\n    ${CARBON}` },
    code: 'missing-field',
    path: 'repositories[1].local',
  },
  {
    name: 'enabled as a string',
    parts: api('enabled: true', "/*!*/enabled: 'yes'"),
    code: 'invalid-type',
    path: 'repositories[0].build.enabled',
  },
  {
    name: 'misspelt carbonRepo field',
    parts: api("carbonRepo: 'Carbon'", "carbonRepo: 'Carbon', /*!*/carbonrepo: 'Carbon'"),
    code: 'unknown-field',
    path: 'repositories[0].build.carbonrepo',
    mentions: 'did you mean "carbonRepo"',
  },
  {
    name: 'carbonRepo written out as carbonRepository',
    parts: api("carbonRepo: 'Carbon'", "carbonRepo: 'Carbon', /*!*/carbonRepository: 'Carbon'"),
    code: 'unknown-field',
    path: 'repositories[0].build.carbonRepository',
    mentions: 'did you mean "carbonRepo"',
  },
  {
    name: 'branch with a semicolon',
    parts: api("branch: 'develop'", "/*!*/branch: 'a;b'"),
    code: 'invalid-branch',
    path: 'repositories[0].build.branch',
    mentions: '";"',
  },
  {
    name: 'branch with command substitution',
    parts: api("carbonBranch: 'develop'", "/*!*/carbonBranch: '$(id)'"),
    code: 'invalid-branch',
    path: 'repositories[0].build.carbonBranch',
    mentions: '"$"',
  },
  {
    name: 'branch with backticks',
    parts: api("branches: { Web: 'develop' }", "branches: { /*!*/Web: '`id`' }"),
    code: 'invalid-branch',
    path: 'repositories[0].build.branches.Web',
  },
  {
    name: 'branch starting with a dash',
    parts: api("branch: 'develop'", "/*!*/branch: '-rf'"),
    code: 'invalid-branch',
    path: 'repositories[0].build.branch',
    mentions: '"-"',
  },
  {
    name: 'branch with ..',
    parts: api("branch: 'develop'", "/*!*/branch: 'a..b'"),
    code: 'invalid-branch',
    path: 'repositories[0].build.branch',
    mentions: '".."',
  },
  {
    name: 'branch ending in .lock',
    parts: api("branch: 'develop'", "/*!*/branch: 'feature/x.lock'"),
    code: 'invalid-branch',
    path: 'repositories[0].build.branch',
    mentions: '.lock',
  },
  {
    name: 'carbonRepo typo',
    parts: api("carbonRepo: 'Carbon'", "/*!*/carbonRepo: 'Carbn'"),
    code: 'unknown-carbon-repo',
    path: 'repositories[0].build.carbonRepo',
    mentions: 'did you mean "Carbon"',
  },
  {
    name: 'carbonRepo far from any repository',
    parts: api("carbonRepo: 'Carbon'", "/*!*/carbonRepo: 'Shared-Infrastructure'"),
    code: 'carbon-repo-outside-project',
    path: 'repositories[0].build.carbonRepo',
    severity: 'warning',
    mentions: 'git@github.com:acme/Shared-Infrastructure.git',
  },
  {
    name: 'carbonRepo is the repository itself',
    parts: api("carbonRepo: 'Carbon'", "/*!*/carbonRepo: 'Api'"),
    code: 'carbon-repo-is-self',
    path: 'repositories[0].build.carbonRepo',
  },
  {
    name: 'linked repository typo',
    parts: api("branches: { Web: 'develop' }", "branches: { /*!*/Wbe: 'develop' }"),
    code: 'unknown-linked-repository',
    path: 'repositories[0].build.branches.Wbe',
    mentions: 'did you mean "Web"',
  },
  {
    name: 'linked repository is itself',
    parts: api("branches: { Web: 'develop' }", "branches: { /*!*/Api: 'develop' }"),
    code: 'self-link',
    path: 'repositories[0].build.branches.Api',
  },
  {
    name: 'linked repository is the carbon repository',
    parts: api("branches: { Web: 'develop' }", "branches: { /*!*/Carbon: 'main' }"),
    code: 'carbon-repo-linked',
    path: 'repositories[0].build.branches.Carbon',
  },
  {
    name: 'unknown strategy',
    parts: api("strategy: 'ecs'", "/*!*/strategy: 'ecss'"),
    code: 'unknown-strategy',
    path: 'repositories[0].build.strategy',
    mentions: 'did you mean "ecs"',
  },
  {
    name: 'job the strategy does not provide',
    parts: api("job: 'CarbonBuild'", "/*!*/job: 'CarbonBiuld'"),
    code: 'unknown-job',
    path: 'repositories[0].build.job',
    mentions: 'did you mean "CarbonBuild"',
  },
  {
    name: 'deploy mode typo',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        ecs: { /*!*/deploy: 'ecs-service' },",
    ),
    code: 'invalid-value',
    path: 'repositories[0].build.ecs.deploy',
    mentions: 'did you mean "ecs_service"',
  },
  {
    name: 'hook deploy without hook',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        /*!*/ecs: { deploy: 'hook' },",
    ),
    code: 'missing-hook',
    path: 'repositories[0].build.ecs.hook',
  },
  {
    name: 'a provision naming both a hook and a template',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        /*!*/provision: { hook: 'infra/up.sh', cloudformation: { template: 'infra/api.yml' } },",
    ),
    code: 'invalid-provision',
    path: 'repositories[0].build.provision',
    mentions: 'keep one',
  },
  {
    name: 'a provision naming no step',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        /*!*/provision: {},",
    ),
    code: 'invalid-provision',
    path: 'repositories[0].build.provision',
    mentions: "hook: 'infra/up.sh'",
  },
  {
    name: 'a provision field cased wrong',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        provision: { /*!*/cloudFormation: { template: 'infra/api.yml' } },",
    ),
    code: 'unknown-field',
    path: 'repositories[0].build.provision.cloudFormation',
    mentions: 'did you mean "cloudformation"?',
  },
  {
    name: 'an absolute provision hook',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        provision: { /*!*/hook: '/srv/up.sh' },",
    ),
    code: 'invalid-path',
    path: 'repositories[0].build.provision.hook',
    mentions: 'relative to the root of the carbon repository',
  },
  {
    name: 'a template outside the carbon repository',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        provision: { cloudformation: { /*!*/template: '../infra/api.yml' } },",
    ),
    code: 'invalid-path',
    path: 'repositories[0].build.provision.cloudformation.template',
    mentions: 'must not contain ".."',
  },
  {
    name: 'a template path that names a folder',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        provision: { cloudformation: { /*!*/template: 'infra/' } },",
    ),
    code: 'invalid-path',
    path: 'repositories[0].build.provision.cloudformation.template',
    mentions: 'names a folder',
  },
  {
    name: 'a stack name CloudFormation refuses',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        provision: { cloudformation: { template: 'infra/api.yml', /*!*/stack: 'acme_api' } },",
    ),
    code: 'invalid-stack-name',
    path: 'repositories[0].build.provision.cloudformation.stack',
    mentions: '"acme_api"',
  },
  {
    name: 'the image parameter set by hand',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        provision: { cloudformation: { template: 'infra/api.yml', parameters: { /*!*/ImageUri: 'x' } } },",
    ),
    code: 'invalid-parameter-name',
    path: 'repositories[0].build.provision.cloudformation.parameters.ImageUri',
    mentions: 'Carbon sets to the image it built',
  },
  {
    name: 'a parameter name that is no logical id',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        provision: { cloudformation: { template: 'infra/api.yml', parameters: { /*!*/'desired-count': '2' } } },",
    ),
    code: 'invalid-parameter-name',
    path: 'repositories[0].build.provision.cloudformation.parameters.desired-count',
    mentions: 'letters and digits only',
  },
  {
    name: 'a parameter value of two lines',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        provision: { cloudformation: { template: 'infra/api.yml', parameters: { /*!*/Domain: 'a\\nb' } } },",
    ),
    code: 'invalid-parameter-value',
    path: 'repositories[0].build.provision.cloudformation.parameters.Domain',
    mentions: 'one line',
  },
  {
    name: 'a capability misspelt',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        provision: { cloudformation: { template: 'infra/api.yml', capabilities: [/*!*/'CAPABILITY_IAN'] } },",
    ),
    code: 'invalid-value',
    path: 'repositories[0].build.provision.cloudformation.capabilities[0]',
    mentions: 'did you mean "CAPABILITY_IAM"?',
  },
  {
    name: 'a stack and a rollout both owning the image',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        ecs: { /*!*/deploy: 'ecs_service' },\n        provision: { cloudformation: { template: 'infra/api.yml' } },",
    ),
    code: 'provision-owns-image',
    path: 'repositories[0].build.ecs.deploy',
    mentions: 'two owners of the image',
  },
  {
    name: 'a stack name derived from a project id that starts with a digit',
    parts: {
      head: "id: '7seas',\n  name: 'Sample',",
      api: API.replace(
        "branches: { Web: 'develop' },",
        "branches: { Web: 'develop' },\n        provision: { /*!*/cloudformation: { template: 'infra/api.yml' } },",
      ),
    },
    code: 'invalid-derived-name',
    path: 'repositories[0].build.provision.cloudformation',
    mentions: 'set build.provision.cloudformation.stack',
  },
  {
    name: 'upper-case ECR repository',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        ecs: { /*!*/ecrRepository: 'Acme/API' },",
    ),
    code: 'invalid-ecr-repository',
    path: 'repositories[0].build.ecs.ecrRepository',
  },
  {
    name: 'dockerfile escaping the workspace',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        ecs: { /*!*/dockerfile: '../Dockerfile' },",
    ),
    code: 'invalid-path',
    path: 'repositories[0].build.ecs.dockerfile',
    mentions: '".."',
  },
  {
    name: 'sync direction typo',
    parts: api("direction: 'local'", "/*!*/direction: 'locale'"),
    code: 'invalid-value',
    path: 'repositories[0].sync[0].direction',
    mentions: 'did you mean "local"',
  },
  {
    name: 'cron macro',
    parts: api("cron: '0 * * * *'", "/*!*/cron: '@hourly'"),
    code: 'invalid-cron',
    path: 'repositories[0].sync[0].cron',
    mentions: '0 * * * *',
  },
  {
    name: 'cron with six fields',
    parts: api("cron: '0 * * * *'", "/*!*/cron: '0 0 * * * *'"),
    code: 'invalid-cron',
    path: 'repositories[0].sync[0].cron',
    mentions: 'exactly five',
  },
  {
    name: 'cron minute out of range',
    parts: api("cron: '0 * * * *'", "/*!*/cron: '60 * * * *'"),
    code: 'invalid-cron',
    path: 'repositories[0].sync[0].cron',
    mentions: '0 to 59',
  },
  {
    name: 'cron month name',
    parts: api("cron: '0 * * * *'", "/*!*/cron: '0 0 1 JAN *'"),
    code: 'invalid-cron',
    path: 'repositories[0].sync[0].cron',
    mentions: 'write 1 for JAN',
  },
  {
    name: 'cron that never fires',
    parts: api("cron: '0 * * * *'", "/*!*/cron: '0 0 31 2 *'"),
    code: 'invalid-cron',
    path: 'repositories[0].sync[0].cron',
    mentions: 'never fires: month 2 (FEB) has at most 29 days, and day 31 is named',
  },
  {
    name: 'sync without origin',
    parts: {
      api: API.replace(
        "      origin: { git: 'github.com/client/api.git', defaultBranch: 'develop' },\n",
        '',
      ).replace('sync: [', '/*!*/sync: ['),
    },
    code: 'sync-without-origin',
    path: 'repositories[0].sync',
  },
  {
    name: 'two sync rules writing one branch',
    parts: api(
      "sync: [{ direction: 'local', cron: '0 * * * *', branches: { origin: 'develop', local: 'sync/develop' } }],",
      "sync: [\n        { direction: 'local', cron: '0 * * * *', branches: { origin: 'develop', local: 'sync/develop' } },\n        { direction: 'local', cron: '30 * * * *', branches: { origin: 'main', /*!*/local: 'sync/develop' } },\n      ],",
    ),
    code: 'sync-target-conflict',
    path: 'repositories[0].sync[1].branches.local',
  },
  {
    name: 'sync into the default branch',
    parts: api("local: 'sync/develop'", "/*!*/local: 'develop'"),
    code: 'sync-into-working-branch',
    path: 'repositories[0].sync[0].branches.local',
    severity: 'warning',
    mentions: 'default branch',
  },
  {
    name: 'git URL with a shell character',
    parts: api(
      "local: { git: 'github.com/acme/api.git'",
      "local: { /*!*/git: 'github.com/acme/api;rm.git'",
    ),
    code: 'invalid-git-url',
    path: 'repositories[0].local.git',
  },
  {
    name: 'relative file URL',
    parts: api(
      "origin: { git: 'github.com/client/api.git'",
      "origin: { /*!*/git: 'file://repos/api.git'",
    ),
    code: 'invalid-git-url',
    path: 'repositories[0].origin.git',
    mentions: 'absolute',
  },
  {
    name: 'duplicate repository id',
    parts: {
      others: `${WEB},\n    /*!*/{ id: 'Web', name: 'Web again', local: { git: 'github.com/acme/web2.git' } },\n    ${CARBON}`,
    },
    code: 'duplicate-repository-id',
    path: 'repositories[2].id',
  },
  {
    name: 'repository ids differing only in case',
    parts: {
      others: `${WEB},\n    /*!*/{ id: 'web', name: 'web', local: { git: 'github.com/acme/web2.git' } },\n    ${CARBON}`,
    },
    code: 'duplicate-repository-id',
    path: 'repositories[2].id',
    mentions: 'case',
  },
  {
    name: 'no AWS account for a build',
    parts: api('build: {', '/*!*/build: {'),
    config: 'export default {};\n',
    code: 'missing-aws-account',
    path: 'repositories[0].build',
  },
  {
    name: 'cron that pins a minute a timetable cannot',
    parts: api("cron: '0 * * * *'", "/*!*/cron: '15 * * * *'"),
    code: 'cron-minutes-lost',
    path: 'repositories[0].sync[0].cron',
    severity: 'warning',
    mentions: 'not at minute 15',
  },
  {
    name: 'cron restricting both day fields',
    parts: api("cron: '0 * * * *'", "/*!*/cron: '0 0 1 * 1'"),
    code: 'cron-not-schedulable',
    path: 'repositories[0].sync[0].cron',
    mentions: 'both the day of the month and the day of the week',
  },
  {
    name: 'step value with scheduled workflows',
    parts: api("cron: '0 * * * *'", "/*!*/cron: '*/15 * * * *'"),
    config:
      "export default { aws: { accountId: '123456789012' }, circleci: { scheduling: 'scheduled-workflows' } };\n",
    code: 'cron-not-schedulable',
    path: 'repositories[0].sync[0].cron',
    mentions: 'step value',
  },
  {
    name: 'range inside a list with scheduled workflows',
    parts: api("cron: '0 * * * *'", "/*!*/cron: '0 1-3,5 * * *'"),
    config:
      "export default { aws: { accountId: '123456789012' }, circleci: { scheduling: 'scheduled-workflows' } };\n",
    code: 'cron-not-schedulable',
    path: 'repositories[0].sync[0].cron',
    mentions: 'range inside a list',
  },
  {
    name: 'a field named like a property of every object',
    parts: { head: "id: 'sample',\n  name: 'S',\n  /*!*/constructor: {}," },
    code: 'unknown-field',
    path: 'constructor',
  },
  {
    name: 'a disabled build is still checked',
    parts: {
      api: API.replace('enabled: true', 'enabled: false').replace(
        "carbonRepo: 'Carbon'",
        "/*!*/carbonRepo: 'Carbn'",
      ),
    },
    code: 'unknown-carbon-repo',
    path: 'repositories[0].build.carbonRepo',
  },
  {
    name: 'a sync pushing where no key opens',
    parts: api('sync: [{', 'sync: [/*!*/{'),
    config: `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/client': '${TEST_KEY}' } } };\n`,
    code: 'sync-target-without-key',
    path: 'repositories[0].sync[0]',
    mentions: 'add "github.com/acme": "SHA256:…" to git.sshKeys',
  },
  {
    name: 'a linked repository cloned with no key',
    parts: api('branches: { Web', '/*!*/branches: { Web'),
    config: `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/acme/api': '${TEST_KEY}', 'github.com/acme/carbon': '${TEST_KEY}', 'github.com/client': '${TEST_KEY}' } } };\n`,
    code: 'clone-without-key',
    path: 'repositories[0].build.branches.Web',
    severity: 'warning',
    mentions: 'git@github.com:acme/web.git',
  },
  {
    name: 'rebuildOn naming a repository the build does not check out',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        rebuildOn: [/*!*/'Wbe'],",
    ),
    code: 'unknown-rebuild-input',
    path: 'repositories[0].build.rebuildOn[0]',
    mentions: '"Wbe" is not checked out by this build (did you mean "Web"?)',
  },
  {
    name: 'rebuildOn naming the repository itself',
    parts: api(
      "branches: { Web: 'develop' },",
      "branches: { Web: 'develop' },\n        rebuildOn: ['Carbon', /*!*/'Api'],",
    ),
    code: 'unknown-rebuild-input',
    path: 'repositories[0].build.rebuildOn[1]',
    mentions: 'its own pushes build it already',
  },
  {
    name: 'a GitHub App cascade from another GitHub organization',
    parts: {
      api: API.replace("branches: { Web: 'develop' }", "/*!*/branches: { Web: 'develop' }"),
      others: `{ id: 'Web', name: 'Web', local: { git: 'github.com/other/web.git' } },\n    ${CARBON}`,
    },
    config: GITHUB_APP_CONFIG,
    code: 'cascade-across-organizations',
    path: 'repositories[0].build.branches.Web',
    mentions: '"Web" is in github.com/other but "Api" in github.com/acme',
  },
  {
    name: 'an OAuth cascade to a build whose CircleCI project cannot be derived',
    parts: {
      api: API.replace('build: {', '/*!*/build: {').replace(
        "local: { git: 'github.com/acme/api.git'",
        "local: { git: 'https://git.acme.io/acme/api.git'",
      ),
    },
    config: MINIMAL_CONFIG.replace(
      "'github.com/acme'",
      "'git.acme.io/acme': '${TEST_KEY}', 'github.com/acme'",
    ),
    code: 'cascade-without-project',
    path: 'repositories[0].build',
    severity: 'warning',
    mentions: 'add "sample/Api": "<vcs>/<org>/<repo>" to circleci.projects',
  },
];

describe('broken settings', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)(
    '$name -> $code at $path',
    async ({ parts, config, code, path, severity = 'error', mentions }) => {
      const text = projectModule(parts);
      const markerLine = text.split('\n').findIndex((line) => line.includes('/*!*/')) + 1;
      expect(markerLine, 'the case marks the offending line').toBeGreaterThan(0);
      const root = makeWorkspace({
        'carbon.config.ts': config ?? MINIMAL_CONFIG,
        'projects/sample.ts': text,
      });
      const { diagnostics, workspace } = await compileSettings(root);
      const found = diagnostics.find((d) => d.code === code && formatPath(d.origin.path) === path);
      expect(
        found,
        JSON.stringify(
          diagnostics.map((d) => [d.code, formatPath(d.origin.path), d.message]),
          null,
          1,
        ),
      ).toBeDefined();
      expect(found!.severity).toBe(severity);
      expect(found!.position?.line).toBe(markerLine);
      expect(found!.origin.file).toBe(`${root}/projects/sample.ts`);
      if (mentions) expect(found!.message).toContain(mentions);
      if (severity === 'error') expect(workspace).toBeUndefined();
    },
  );

  it('says only that a sync direction is unknown: nothing is read into the rule', async () => {
    // The sync would push to origin if 'remote' were read as 'origin', which no key opens here,
    // and would write the client's develop branch.
    const root = makeWorkspace({
      'carbon.config.ts': `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/acme': '${TEST_KEY}' } } };\n`,
      'projects/sample.ts': projectModule(api("direction: 'local'", "direction: 'remote'")),
    });
    const { diagnostics } = await compileSettings(root);
    expect(diagnostics.map((d) => `${d.code} ${formatPath(d.origin.path)}`)).toEqual([
      'invalid-value repositories[0].sync[0].direction',
    ]);
  });

  it('the unbroken module compiles without a diagnostic', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': MINIMAL_CONFIG,
      'projects/sample.ts': projectModule({}),
    });
    const { diagnostics, workspace } = await compileSettings(root);
    expect(diagnostics).toEqual([]);
    expect(workspace?.projects[0]?.repositories.map((r) => r.id)).toEqual(['Api', 'Web', 'Carbon']);
  });

  it('points at the property name itself (column)', async () => {
    const text = projectModule(api("carbonRepo: 'Carbon'", "carbonRepo: 'Carbn'"));
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes("carbonRepo: 'Carbn'")) + 1;
    const root = makeWorkspace({ 'carbon.config.ts': MINIMAL_CONFIG, 'projects/sample.ts': text });
    const { diagnostics } = await compileSettings(root);
    expect(diagnostics[0]?.position).toEqual({
      line,
      column: lines[line - 1]!.indexOf('carbonRepo') + 1,
    });
  });
});

describe('two schedules writing one branch', () => {
  /** A project whose one repository syncs `origin` into `local`'s sync/main. */
  const syncing = (id: string, local: string) => `export const ${id} = {
  id: '${id}',
  name: '${id}',
  repositories: [
    {
      id: 'Api',
      name: 'API',
      sync: [{ direction: 'local', cron: '0 * * * *', branches: { origin: 'main', local: 'sync/main' } }],
      local: { git: '${local}' },
      origin: { git: 'github.com/client/${id}.git' },
    },
  ],
};
`;

  it('holds across projects: the second is refused, naming the first, however its URL is written', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': MINIMAL_CONFIG,
      'projects/alpha.ts': syncing('alpha', 'github.com/acme/api.git'),
      'projects/beta.ts': syncing('beta', 'git@github.com:Acme/API.git'),
    });
    const { diagnostics, workspace } = await compileSettings(root);
    const found = diagnostics.filter((d) => d.code === 'sync-target-conflict');
    expect(found).toHaveLength(1);
    expect(found[0]!.origin.file).toBe(`${root}/projects/beta.ts`);
    expect(formatPath(found[0]!.origin.path)).toBe('repositories[0].sync[0].branches.local');
    expect(found[0]!.position?.line).toBe(8);
    expect(found[0]!.message).toContain(
      'alpha/Api sync[0] (projects/alpha.ts) already writes branch "sync/main" of github.com/acme/api',
    );
    expect(workspace).toBeUndefined();
  });

  it('holds between repositories of one project, and between file URLs', async () => {
    const project = syncing('alpha', 'file:///srv/git/api.git').replace(
      '  ],\n};',
      `    {
      id: 'Mirror',
      name: 'Mirror',
      sync: [{ direction: 'origin', cron: '0 * * * *', branches: { origin: 'sync/main', local: 'main' } }],
      local: { git: 'file:///srv/git/mirror.git' },
      origin: { git: 'file:///srv/git/api' },
    },
  ],
};`,
    );
    const root = makeWorkspace({
      'carbon.config.ts': MINIMAL_CONFIG,
      'projects/alpha.ts': project,
    });
    const { diagnostics } = await compileSettings(root);
    const found = diagnostics.filter((d) => d.code === 'sync-target-conflict');
    expect(found.map((d) => formatPath(d.origin.path))).toEqual([
      'repositories[1].sync[0].branches.origin',
    ]);
    expect(found[0]!.message).toContain('alpha/Api sync[0] (projects/alpha.ts) already writes');
  });
});

describe('git.sshKeys in carbon.config.ts', () => {
  it('refuses an entry that opens no repository, located at the entry, with the closest owner', async () => {
    const config = [
      'export default {',
      "  aws: { accountId: '123456789012' },",
      '  git: {',
      '    sshKeys: {',
      `      'github.com/acme': '${TEST_KEY}',`,
      `      'github.com/clinet': '${TEST_KEY}',`,
      '    },',
      '  },',
      '};',
      '',
    ].join('\n');
    const root = makeWorkspace({
      'carbon.config.ts': config,
      'projects/sample.ts': projectModule({}),
    });
    const { diagnostics, workspace } = await compileSettings(root);
    const found = diagnostics.filter((d) => d.code === 'unused-ssh-key');
    expect(found).toHaveLength(1);
    expect(found[0]!.origin.file).toBe(`${root}/carbon.config.ts`);
    expect(formatPath(found[0]!.origin.path)).toBe('git.sshKeys.github.com/clinet');
    expect(found[0]!.position).toEqual({ line: 6, column: 7 });
    expect(found[0]!.message).toContain('(did you mean "github.com/client"?)');
    expect(workspace).toBeUndefined();
  });

  it('says which entry was meant, at the entry, also beside the errors its misspelling causes', async () => {
    const config = `export default {\n  aws: { accountId: '123456789012' },\n  git: { sshKeys: { 'github.com/acmee': '${TEST_KEY}', 'github.com/client': '${TEST_KEY}' } },\n};\n`;
    const root = makeWorkspace({
      'carbon.config.ts': config,
      'projects/sample.ts': projectModule({}),
    });
    const { diagnostics } = await compileSettings(root);
    const codes = diagnostics.map((d) => d.code);
    // The repositories of github.com/acme have no key: errors where they are used, saying to add one.
    expect(codes).toContain('sync-target-without-key');
    const meant = diagnostics.filter((d) => d.code === 'unused-ssh-key');
    expect(meant).toHaveLength(1);
    expect(formatPath(meant[0]!.origin.path)).toBe('git.sshKeys.github.com/acmee');
    expect(meant[0]!.position).toEqual({ line: 3, column: 21 });
    expect(meant[0]!.message).toContain('(did you mean "github.com/acme"?)');

    // An entry farther from every repository known may be for the project that failed: not said.
    const waiting = makeWorkspace({
      'carbon.config.ts': `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/acme': '${TEST_KEY}', 'github.com/client': '${TEST_KEY}', 'github.com/globex': '${TEST_KEY}' } } };\n`,
      'projects/sample.ts': projectModule({}),
      'projects/globex.ts':
        "export const globex = { id: 'globex', name: 'G', repositories: [{ id: 'A', name: 'A', bogus: 1, local: { git: 'github.com/globex/a.git' } }] };\n",
    });
    const second = await compileSettings(waiting);
    expect(second.diagnostics.map((d) => d.code)).toEqual(['unknown-field']);
  });

  it('needs no key for file:// URLs, nor with the https transport', async () => {
    const files = projectModule({}).replaceAll('github.com/', 'file:///srv/git/');
    for (const [config, module] of [
      ["export default { aws: { accountId: '123456789012' } };\n", files],
      [
        "export default { aws: { accountId: '123456789012' }, git: { transport: 'https' } };\n",
        projectModule({}),
      ],
    ] as const) {
      const root = makeWorkspace({ 'carbon.config.ts': config, 'projects/sample.ts': module });
      const { diagnostics } = await compileSettings(root);
      // Without circleci.cascadeContext, OAuth cascades are off: said once, nothing about keys.
      expect(diagnostics.map((d) => d.code)).toEqual(['cascades-off']);
    }
  });
});

describe('circleci delivery settings in carbon.config.ts', () => {
  const keys = `git: { sshKeys: { 'github.com/acme': '${TEST_KEY}', 'github.com/client': '${TEST_KEY}' } }`;
  const configCases = [
    {
      name: 'GitHub App with legacy scheduled workflows',
      circleci:
        "integration: 'github-app', configRepository: { githubId: 1 },\n    /*!*/scheduling: 'scheduled-workflows'",
      code: 'scheduling-unavailable',
      path: 'circleci.scheduling',
    },
    {
      name: 'GitHub App without the repository the configs live in',
      circleci: "/*!*/integration: 'github-app'",
      code: 'missing-config-repository',
      path: 'circleci.integration',
    },
    {
      name: 'an integration CircleCI does not have',
      circleci: "/*!*/integration: 'github'",
      code: 'invalid-value',
      path: 'circleci.integration',
    },
    {
      name: 'a project slug that is a URL',
      circleci: "projects: {\n    /*!*/sample: 'https://app.circleci.com/projects/x' }",
      code: 'invalid-project-slug',
      path: 'circleci.projects.sample',
    },
    {
      name: 'a GitHub id that is a name',
      circleci: "githubIds: {\n    /*!*/'github.com/acme/api': 'acme/api' }",
      code: 'invalid-github-id',
      path: 'circleci.githubIds.github.com/acme/api',
    },
    {
      name: 'a config ref that is no branch name',
      circleci:
        "integration: 'github-app',\n    configRepository: { githubId: '1', /*!*/ref: 'main;id' }",
      code: 'invalid-branch',
      path: 'circleci.configRepository.ref',
    },
  ];

  it.each(configCases)('$name -> $code at $path', async ({ circleci, code, path }) => {
    const config = `export default {\n  aws: { accountId: '123456789012' },\n  ${keys},\n  circleci: {\n    ${circleci} },\n};\n`;
    const markerLine = config.split('\n').findIndex((line) => line.includes('/*!*/')) + 1;
    const root = makeWorkspace({
      'carbon.config.ts': config,
      'projects/sample.ts': projectModule({}),
    });
    const { diagnostics, workspace } = await compileSettings(root);
    const found = diagnostics.find((d) => d.code === code && formatPath(d.origin.path) === path);
    expect(
      found,
      JSON.stringify(diagnostics.map((d) => [d.code, formatPath(d.origin.path)])),
    ).toBeDefined();
    expect(found!.origin.file).toBe(`${root}/carbon.config.ts`);
    expect(found!.position?.line).toBe(markerLine);
    expect(workspace).toBeUndefined();
  });

  it('GitHub App takes numeric ids and crons a timetable could not say, without a warning', async () => {
    const config = `export default { aws: { accountId: '123456789012' }, ${keys}, circleci: { integration: 'github-app', configRepository: { githubId: 952038793 }, githubIds: { 'github.com/acme/api': 123 } } };\n`;
    const root = makeWorkspace({
      'carbon.config.ts': config,
      'projects/sample.ts': projectModule(api("cron: '0 * * * *'", "cron: '15 * * * 1'")),
    });
    const { diagnostics, workspace } = await compileSettings(root);
    expect(diagnostics).toEqual([]);
    expect(workspace!.config.circleci).toMatchObject({
      integration: 'github-app',
      configRepository: { githubId: '952038793', ref: 'main' },
      githubIds: { 'github.com/acme/api': '123' },
      projects: {},
    });
  });
});
