// What users write: the settings shapes with the documentation their editor shows. The zod schema in
// schema.ts checks values against these shapes and fills in the defaults documented here.

/** A client project: `projects/<project>.ts` exports one or more of these. */
export interface ProjectSettings {
  /**
   * Unique id of the project across the workspace; names the `generated/<id>/` folder.
   * Letters, digits, `.`, `_` and `-`, starting with a letter or digit.
   * @example 'taxaroo'
   */
  id: string;
  /**
   * Human-readable name, shown in schedule descriptions and the dashboard.
   * @example 'Taxaroo'
   */
  name: string;
  /**
   * Jira project key: 2 to 10 upper-case letters, digits or `_`, starting with a letter.
   * @example 'TAXR'
   */
  projectKey?: string;
  /**
   * Jira board number.
   * @example '32'
   */
  boardId?: string | number;
  /**
   * Avatar image for the dashboard (an https URL).
   * @example 'https://example.com/taxaroo-avatar.png'
   */
  avatar?: string;
  /**
   * Hero image for the dashboard (an https URL).
   * @example 'https://images.example.com/taxaroo-hero.jpg'
   */
  hero?: string;
  /**
   * AWS settings for this project's builds, overriding the workspace's `aws` in `carbon.config.ts`
   * field by field.
   * @example { accountId: '210987654321', region: 'eu-west-1' }
   */
  aws?: AwsSettings;
  /** The project's repositories: applications, their carbon repository, and any others. */
  repositories: RepositorySettings[];
}

/** One repository of a project: the agency's mirror (`local`) and, optionally, the client's (`origin`). */
export interface RepositorySettings {
  /**
   * Unique id of the repository in its project: the name used by `build.carbonRepo`, the keys of
   * `build.branches`, the checkout folder in builds and the `generated/<project>/<id>/` folder.
   * @example 'Taxaroo-API-V2'
   */
  id: string;
  /**
   * Human-readable name.
   * @example 'Taxaroo API'
   */
  name: string;
  /**
   * How pushes to this repository are built and deployed. Omit it for repositories that are not
   * built themselves, such as the carbon repository.
   */
  build?: BuildSettings;
  /**
   * Scheduled copies of a branch between the client's repository (`origin`) and the agency's
   * mirror (`local`). Needs `origin`.
   * @default []
   */
  sync?: SyncRule[];
  /** The agency's repository, where CircleCI runs. */
  local: LocalRemote;
  /** The client's repository. Omit it for a repository that exists only at the agency. */
  origin?: OriginRemote;
}

/** How a repository is built: the strategy, the job, and what it checks out beside the repository. */
export interface BuildSettings {
  /**
   * Whether pushes to `branch` run the build. A disabled build is still checked.
   * @default true
   */
  enabled?: boolean;
  /**
   * The build strategy. `ecs`: build a Docker image, push it to ECR and deploy it to ECS.
   * @default 'ecs'
   */
  strategy?: 'ecs';
  /**
   * The orb job that runs the build; the strategy `ecs` provides `CarbonBuild`.
   * @default 'CarbonBuild'
   */
  job?: 'CarbonBuild';
  /**
   * The branch of this repository whose pushes are built and deployed.
   * @default local.defaultBranch
   * @example 'develop'
   */
  branch?: string;
  /**
   * Id of the repository of this project that holds the Dockerfiles and the infrastructure (the
   * "carbon" repository). A name that is no repository of the project is taken, with a warning, as
   * the repository of that name beside this one (same host and owner as `local.git`).
   * @example 'Taxaroo-Carbon'
   */
  carbonRepo: string;
  /**
   * The branch of the carbon repository to build with.
   * @default the build's `branch`
   * @example 'develop'
   */
  carbonBranch?: string;
  /**
   * Other repositories of the project that the build needs, each at a branch: repository id to
   * branch. Each is cloned into the build workspace at `<repository id>/`.
   * @default {}
   * @example { 'Taxaroo-App': 'develop', 'Taxaroo-Admin': 'develop' }
   */
  branches?: Record<string, string>;
  /**
   * Which of the build's checkouts rebuild it when they change: ids of the carbon repository and
   * of repositories of `branches`. A push to one of them, on the branch the build checks it out
   * at, runs this build again (a cascade); its image tag hashes every input, so a rebuild whose
   * inputs did not change only retags. `[]` switches cascades off for this build. A cascade never
   * cascades: a build started by one does not start others, so links may form cycles.
   * @default every checkout: `carbonRepo` and each repository of `branches`
   * @example ['Taxaroo-Carbon', 'Taxaroo-App']
   */
  rebuildOn?: string[];
  /** Overrides of the ECR and ECS names Carbon derives by convention. */
  ecs?: EcsSettings;
  /**
   * The carbon repository's environment step: run after the image is pushed and before the
   * deploy, with the job's AWS credentials, it creates or updates what the deploy needs (cluster,
   * service, task definition, roles), so that the first build of a new project ends with a running
   * service. Either an executable (`hook`) or a CloudFormation template deployed as a stack
   * (`cloudformation`): name exactly one.
   * @example { hook: 'infra/up.sh' }
   */
  provision?: ProvisionSettings;
}

/** ECR and ECS coordinates of a build. Every field has a conventional default. */
export interface EcsSettings {
  /**
   * ECR repository the image is pushed to (created on first build).
   * @default '<project id>/<repository id>', lower-cased
   * @example 'taxaroo/taxaroo-api-v2'
   */
  ecrRepository?: string;
  /**
   * ECS cluster of the service.
   * @default '<project id>-<build branch>' (characters other than letters, digits, `_` and `-` become `-`)
   * @example 'taxaroo-develop'
   */
  cluster?: string;
  /**
   * ECS service to deploy.
   * @default the repository id, lower-cased
   * @example 'taxaroo-api-v2'
   */
  service?: string;
  /**
   * Container of the service's task definition whose image is replaced.
   * @default the service name
   */
  container?: string;
  /**
   * Dockerfile, relative to the build workspace (the folder holding every checkout).
   * @default '<carbonRepo>/<repository id>/Dockerfile'
   */
  dockerfile?: string;
  /**
   * Docker build context, relative to the build workspace. The default, the workspace itself,
   * lets the Dockerfile copy from every checked-out repository.
   * @default '.'
   */
  context?: string;
  /**
   * What happens after the image is pushed: `ecs_service` rolls the service onto a new task
   * definition revision, `hook` runs an executable from the carbon repository, `none` stops. With
   * `provision.cloudformation` the stack deploys the image, so the default is then `'none'` and
   * `ecs_service` is refused: two owners of the image would undo each other.
   * @default 'ecs_service'
   */
  deploy?: 'ecs_service' | 'hook' | 'none';
  /**
   * With `deploy: 'hook'`: the executable to run, a path relative to the root of the carbon
   * repository (committed with its executable bit).
   * @example 'deploy/api.sh'
   */
  hook?: string;
}

/** The environment step of a build: exactly one of `hook` and `cloudformation`. */
export interface ProvisionSettings {
  /**
   * An executable committed in the carbon repository (with its executable bit), a path relative
   * to its root. It runs from the build workspace with the job's AWS credentials and, in `CARBON_*`
   * variables, the image URI and digest, the AWS account and region, the ECR repository, the ECS
   * cluster, service and container, the project and repository ids, the branch and the commit. A
   * failure stops the build before the deploy. The deploy (`ecs.deploy`) then owns the image.
   * @example 'infra/up.sh'
   */
  hook?: string;
  /**
   * A CloudFormation template of the carbon repository, deployed as a stack (`aws cloudformation
   * deploy`: a change set, nothing to do when nothing changed) with the new image as its
   * `ImageUri` parameter, on every build. The stack owns the image: it rolls the service itself.
   * @example { template: 'infra/api.yml' }
   */
  cloudformation?: CloudFormationSettings;
}

/** A CloudFormation template that a build deploys as a stack, the new image as its `ImageUri`. */
export interface CloudFormationSettings {
  /**
   * The template, a path relative to the root of the carbon repository, at most 51,200 bytes. It
   * must declare a parameter `ImageUri` (the image just pushed, `<registry>/<repository>:<tag>`)
   * and every parameter of `parameters`.
   * @example 'infra/api.yml'
   */
  template: string;
  /**
   * The stack's name: letters, digits and `-`, starting with a letter, at most 128 characters.
   * @default '<project id>-<repository id>-<build branch>', lower-cased (other characters become `-`)
   * @example 'taxaroo-api-develop'
   */
  stack?: string;
  /**
   * Values of the template's other parameters, by name. A parameter not given keeps the value it
   * had (its default when the stack is created); `ImageUri` is Carbon's to set.
   * @default {}
   * @example { DesiredCount: '2' }
   */
  parameters?: Record<string, string>;
  /**
   * What the stack is allowed to do that CloudFormation makes you acknowledge: `CAPABILITY_IAM`
   * (it creates IAM resources), `CAPABILITY_NAMED_IAM` (IAM resources with custom names),
   * `CAPABILITY_AUTO_EXPAND` (macros, nested stacks).
   * @default []
   * @example ['CAPABILITY_NAMED_IAM']
   */
  capabilities?: ('CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM' | 'CAPABILITY_AUTO_EXPAND')[];
}

/** A scheduled branch copy between `origin` and `local`. */
export interface SyncRule {
  /**
   * Which side is written: `local` copies `origin:branches.origin` into `local:branches.local`;
   * `origin` copies `local:branches.local` into `origin:branches.origin`.
   */
  direction: 'local' | 'origin';
  /**
   * When to run, as five numeric cron fields in UTC: minute hour day-of-month month day-of-week.
   * @example '0 * * * *'
   */
  cron: string;
  /** The branch on each side. */
  branches: {
    /** Branch of the client's repository. @example 'develop' */
    origin: string;
    /** Branch of the agency's repository. @example 'sync/develop' */
    local: string;
  };
}

/** The agency's repository. */
export interface LocalRemote {
  /**
   * Git URL: `host/owner/repo.git`, `git@host:owner/repo.git`, `https://…`, `ssh://…`, or
   * `file:///absolute/path` for local mirrors. Rendered for the workspace's `git.transport`.
   * @example 'github.com/BlackstoneStudio/Taxaroo-API-V2.git'
   */
  git: string;
  /**
   * The repository's default branch.
   * @default 'main'
   */
  defaultBranch?: string;
}

/** The client's repository. */
export interface OriginRemote extends LocalRemote {
  /**
   * The branch of the client's repository that the agency's default branch follows.
   * @default defaultBranch
   * @example 'develop'
   */
  defaultBranchFrom?: string;
}

/** AWS coordinates of builds. */
export interface AwsSettings {
  /**
   * AWS region of ECR and ECS.
   * @default 'us-east-1'
   */
  region?: string;
  /**
   * AWS account that owns ECR and ECS (12 digits). Required once any build is enabled.
   * @example '123456789012'
   */
  accountId?: string;
  /**
   * IAM role that CircleCI's OIDC token assumes.
   * @default 'arn:aws:iam::<accountId>:role/CarbonCircleCI'
   */
  roleArn?: string;
}

/** The workspace file `carbon.config.ts`. Every field has a default, and so may the file. */
export interface CarbonConfig {
  /** The shared orb and how generated configs reference it. */
  orb?: OrbSettings;
  /** CircleCI settings for generated configs. */
  circleci?: CircleCISettings;
  /** AWS defaults for every project. */
  aws?: AwsSettings;
  /** How generated jobs reach git repositories. */
  git?: GitSettings;
  /**
   * Where this Carbon workspace lives, named in the header of every generated file, so that a
   * reader in an application repository knows where to change it.
   * @example 'github.com/BlackstoneStudio/carbon'
   */
  workspace?: string;
  /**
   * Environment variables settings modules may read, with `env('NAME')` from `carbon`. Settings run
   * without access to the machine; these names are the one declared way in, and Carbon keys its
   * cache by their values.
   * @default []
   * @example ['CLIENT_AWS_ACCOUNT']
   */
  env?: string[];
  /**
   * The agency's Jira, which the overview site (`carbon site`) links projects' `projectKey` and
   * `boardId` to.
   * @default {} (no Jira links)
   * @example { baseUrl: 'https://blackstone.atlassian.net' }
   */
  jira?: JiraSettings;
}

export interface OrbSettings {
  /**
   * Your organization's CircleCI orb namespace, where `carbon apply` publishes the orb
   * (`circleci namespace create` makes one). None by default: configs then carry the orb inline,
   * and never reference a namespace the workspace did not choose.
   * @example 'acme-agency'
   */
  namespace?: string;
  /**
   * Orb name.
   * @default 'carbon'
   */
  name?: string;
  /**
   * Exact orb version referenced by configs. A published version never changes: when the orb
   * changes (a new Carbon), set a new version; `carbon apply` publishes it.
   * @default '1.0.0'
   */
  version?: string;
  /**
   * How configs reference the orb: `registry` (`namespace/name@version`, which `carbon apply`
   * publishes), `url` (an https URL orb) or `inline` (the whole orb inside every config: works
   * with nothing published). By default `registry` when a namespace is set, else `inline`.
   * @example 'inline'
   */
  reference?: 'registry' | 'url' | 'inline';
  /**
   * With `reference: 'url'`: the https URL the orb is served from.
   * @example 'https://orbs.example.com/carbon/1.0.0/orb.yml'
   */
  url?: string;
}

export interface CircleCISettings {
  /**
   * CircleCI context given to every build job: its environment variables (such as the https token
   * of `git.transport: 'https'`) reach the job, and the IAM role's trust policy may require it
   * (the OIDC token's `oidc.circleci.com/context-ids` claim). The AWS login itself needs no
   * context: CircleCI gives every job its OIDC token.
   * @default 'carbon'
   */
  context?: string;
  /**
   * CircleCI context of the sync jobs, which use no AWS. None by default: a context restricted to
   * some projects or groups would make every sync fail "Unauthorized". Set it when syncs need a
   * secret from a context, such as the https token of `git.transport: 'https'`.
   * @example 'carbon-git'
   */
  syncContext?: string;
  /**
   * With `integration: 'oauth'`: the CircleCI context holding `CIRCLE_TOKEN`, a personal API token
   * that may trigger pipelines of the projects; the job that triggers a build's dependents after it
   * (a cascade, see `build.rebuildOn`) runs with it and nothing else. Without it, OAuth projects have
   * no cascades (GitHub App projects need none: their cross-repo triggers are CircleCI's).
   * @example 'carbon-circleci'
   */
  cascadeContext?: string;
  /**
   * How sync rules are scheduled: `schedule-triggers` (CircleCI's schedule API; the only way for
   * GitHub App projects) or `scheduled-workflows` (legacy `triggers:` in the config).
   * @default 'schedule-triggers'
   */
  scheduling?: 'schedule-triggers' | 'scheduled-workflows';
  /**
   * Who scheduled pipelines are attributed to (`schedule-triggers`).
   * @default 'system'
   */
  scheduleActor?: 'system' | 'current';
  /**
   * How the agency's GitHub organization is connected to CircleCI; decides what `carbon apply`
   * manages. `oauth` (GitHub OAuth app, or Bitbucket Cloud): a CircleCI project is a repository,
   * it reads `.circleci/config.yml` from the branch that runs (`carbon publish` commits it there),
   * and schedules are the schedule API's. `github-app`: a project has pipeline definitions that
   * read their config from another repository (this workspace's, see `configRepository`) and
   * triggers: pushes and schedules.
   * @default 'oauth'
   * @example 'github-app'
   */
  integration?: 'oauth' | 'github-app';
  /**
   * With `integration: 'github-app'`: the GitHub repository that holds this workspace, from which
   * CircleCI reads each repository's `generated/<project>/<repository>/.circleci/config.yml`.
   * @example { githubId: '952038793', ref: 'main' }
   */
  configRepository?: ConfigRepository;
  /**
   * CircleCI project slugs, by `<project id>` or `<project id>/<repository id>` (the longer key
   * wins). Needed with `github-app`, whose slugs are opaque (`circleci/<org id>/<project id>`, as
   * Project Settings shows them); one project may hold the pipelines of many repositories. With
   * `oauth` each repository's slug is derived from `local.git` (`gh/<owner>/<repo>` on GitHub,
   * `bb/<owner>/<repo>` on Bitbucket): set one only for a repository elsewhere.
   * @default {}
   * @example { taxaroo: 'circleci/8e4z1Akd74woxagxnvLT5q/CzMcAU8dvQo4FJhyj87QsA' }
   */
  projects?: Record<string, string>;
  /**
   * With `github-app`: GitHub's numeric id of every repository CircleCI checks out, by
   * `github.com/<owner>/<repo>` as in `local.git` (`gh api repos/<owner>/<repo> --jq .id` prints it).
   * CircleCI's API names repositories by these ids, which git URLs do not carry.
   * @default {}
   * @example { 'github.com/BlackstoneStudio/Taxaroo-API-V2': '952038793' }
   */
  githubIds?: Record<string, string | number>;
}

/** Where a GitHub App project reads the generated configs from: this workspace's repository. */
export interface ConfigRepository {
  /**
   * GitHub's numeric id of the repository holding this workspace.
   * @example '952038793'
   */
  githubId: string | number;
  /**
   * The branch (or tag) CircleCI reads the configs from: commit and push generated/ there.
   * @default 'main'
   */
  ref?: string;
}

export interface GitSettings {
  /**
   * How repository URLs are rendered in generated configs: `ssh` (git@host:owner/repo.git) or
   * `https`. `file://` URLs are always left as written.
   * @default 'ssh'
   */
  transport?: 'ssh' | 'https';
  /**
   * SSH keys the jobs add (CircleCI "additional SSH keys"), by the `host/owner` or
   * `host/owner/repo` they open, longest match first. The fingerprint as CircleCI shows it:
   * `SHA256:…` or MD5 (`aa:bb:…`). A sync's target needs a key that may push; every entry must
   * match at least one repository of the settings.
   * @default {}
   * @example { 'github.com/Software-as-a-Service-LLC': 'SHA256:…' }
   */
  sshKeys?: Record<string, string>;
}

export interface JiraSettings {
  /**
   * Address of the Jira site (an https URL): the overview site links each project's key to
   * `<baseUrl>/browse/<projectKey>` and its board to `<baseUrl>/secure/RapidBoard.jspa?rapidView=<boardId>`.
   * Without it, the site shows the key and board as text.
   * @default none: no Jira links
   * @example 'https://blackstone.atlassian.net'
   */
  baseUrl?: string;
}
