// The zod schema of the settings: structure, value checks, and the defaults documented in types.ts.
// Its input type is what users write (types.ts); its output is the normalized form every later
// stage reads, with every default filled in. Unknown fields are found by parse.ts, which walks the
// written value beside this schema, so that a typo'd field does not stop the rest from parsing.
import { z } from 'zod';
import type { DiagnosticCode } from '../diagnostic-codes.ts';
import { didYouMean } from '../suggest.ts';
import { parseCron } from './cron.ts';
import type {
  AwsSettings,
  BuildSettings,
  CarbonConfig,
  CloudFormationSettings,
  CircleCISettings,
  ConfigRepository,
  EcsSettings,
  LocalRemote,
  OriginRemote,
  ProjectSettings,
  ProvisionSettings,
  RepositorySettings,
  SyncRule,
} from './types.ts';
import {
  checkAwsAccountId,
  checkAwsRegion,
  checkBoardId,
  checkBranch,
  checkCarbonFile,
  checkContext,
  checkEnvName,
  checkWorkspace,
  checkEcrRepository,
  checkEcsName,
  checkFingerprint,
  checkGitUrl,
  checkGithubId,
  checkHttpsUrl,
  checkOrbUrl,
  checkId,
  checkOrbName,
  checkParameterName,
  checkParameterValue,
  checkProjectKey,
  checkProjectSlug,
  checkRelativePath,
  checkRoleArn,
  checkSemver,
  checkStackName,
} from './values.ts';

let valueChecks = true;

/**
 * Parses with structure and types checked but values not: how parse still gets the shape of a
 * repository with a bad branch name, so that the cross-repository rules can run on it too.
 */
export function withoutValueChecks<T>(parse: () => T): T {
  valueChecks = false;
  try {
    return parse();
  } finally {
    valueChecks = true;
  }
}

type Issue = { path?: string[]; message: string; code: DiagnosticCode };

/** A value check, skipped by withoutValueChecks; its issues carry a stable diagnostic code. */
function valueCheck<T>(check: (value: T) => Issue | Issue[] | undefined) {
  return (value: T, ctx: z.RefinementCtx) => {
    if (!valueChecks) return;
    for (const issue of [check(value) ?? []].flat())
      ctx.addIssue({
        code: 'custom',
        message: issue.message,
        params: { code: issue.code },
        ...(issue.path ? { path: issue.path } : {}),
      });
  };
}

/**
 * One of a few strings. Written as a checked string rather than `z.enum` so that a wrong choice is
 * a value problem (the rest of the object still parses) and can suggest the closest choice.
 */
function oneOf<const T extends readonly [string, ...string[]]>(choices: T) {
  return z
    .string()
    .superRefine(
      valueCheck((value: string) =>
        choices.includes(value)
          ? undefined
          : {
              code: 'invalid-value',
              message: `${JSON.stringify(value)} is not one of ${choices.map((c) => JSON.stringify(c)).join(', ')}${didYouMean(value, choices)}`,
            },
      ),
    )
    .transform((value) => value as T[number]);
}

/** A string checked by one of values.ts's checks. */
function checked(code: DiagnosticCode, check: (value: string) => string | undefined) {
  return z.string().superRefine(
    valueCheck((value: string) => {
      const message = check(value);
      return message === undefined ? undefined : { code, message };
    }),
  );
}

const id = checked('invalid-id', checkId);
const branch = checked('invalid-branch', checkBranch);
const gitUrl = checked('invalid-git-url', checkGitUrl);
const httpsUrl = checked('invalid-url', checkHttpsUrl);
const cron = checked('invalid-cron', (value) => {
  const result = parseCron(value);
  return result.ok ? undefined : result.message;
});
const name = z.string().min(1, 'must not be empty');

const awsSchema = z.object({
  region: checked('invalid-aws-region', checkAwsRegion).optional(),
  accountId: checked('invalid-aws-account', checkAwsAccountId).optional(),
  roleArn: checked('invalid-role-arn', checkRoleArn).optional(),
});

const ecsSchema = z
  .object({
    ecrRepository: checked('invalid-ecr-repository', checkEcrRepository).optional(),
    cluster: checked('invalid-ecs-name', checkEcsName).optional(),
    service: checked('invalid-ecs-name', checkEcsName).optional(),
    container: checked('invalid-ecs-name', checkEcsName).optional(),
    dockerfile: checked('invalid-path', checkRelativePath).optional(),
    context: checked('invalid-path', checkRelativePath).optional(),
    // Its default depends on provision: filled in by the repository's normalization.
    deploy: oneOf(['ecs_service', 'hook', 'none']).optional(),
    hook: checked('invalid-path', checkRelativePath).optional(),
  })
  .superRefine(
    valueCheck((ecs: { deploy?: string | undefined; hook?: string | undefined }) =>
      ecs.deploy === 'hook' && ecs.hook === undefined
        ? {
            code: 'missing-hook',
            path: ['hook'],
            message:
              'deploy is "hook" but no hook is set: give the path of an executable committed in the carbon repository, relative to its root, as "deploy/api.sh"',
          }
        : undefined,
    ),
  );

/** CloudFormation's capabilities a stack may be given (the `Capability` enum of its API). */
export const CAPABILITIES = [
  'CAPABILITY_IAM',
  'CAPABILITY_NAMED_IAM',
  'CAPABILITY_AUTO_EXPAND',
] as const;
/** The template parameter Carbon sets to the image it built. */
export const IMAGE_PARAMETER = 'ImageUri';

const cloudFormationSchema = z
  .object({
    template: checked('invalid-path', checkCarbonFile),
    stack: checked('invalid-stack-name', checkStackName).optional(),
    parameters: z
      .record(z.string(), checked('invalid-parameter-value', checkParameterValue))
      .default({}),
    capabilities: z.array(oneOf(CAPABILITIES)).default([]),
  })
  .superRefine(
    valueCheck((cloudformation: { parameters: Record<string, string> }) =>
      Object.keys(cloudformation.parameters).flatMap((name): Issue[] => {
        const message =
          name === IMAGE_PARAMETER
            ? `${IMAGE_PARAMETER} is the parameter Carbon sets to the image it built: remove it from parameters`
            : checkParameterName(name);
        return message === undefined
          ? []
          : [{ code: 'invalid-parameter-name', path: ['parameters', name], message }];
      }),
    ),
  );

const provisionSchema = z
  .object({
    hook: checked('invalid-path', checkCarbonFile).optional(),
    cloudformation: cloudFormationSchema.optional(),
  })
  .superRefine(
    valueCheck((provision: { hook?: unknown; cloudformation?: unknown }) => {
      if ((provision.hook === undefined) !== (provision.cloudformation === undefined))
        return undefined;
      return {
        code: 'invalid-provision',
        message:
          provision.hook === undefined
            ? "provision names no step: give a hook (hook: 'infra/up.sh') or a CloudFormation template (cloudformation: { template: 'infra/api.yml' })"
            : 'provision names both a hook and a CloudFormation template: a build has one environment step, keep one',
      };
    }),
  );

const buildSchema = z.object({
  enabled: z.boolean().default(true),
  // Strategy and job are checked against the strategies Carbon knows by the resolver, which can
  // list them and suggest the closest; here they only need to be strings.
  strategy: z.string().default('ecs'),
  job: z.string().default('CarbonBuild'),
  branch: branch.optional(),
  carbonRepo: id,
  carbonBranch: branch.optional(),
  branches: z.record(z.string(), branch).default({}),
  // Checked against the build's checkouts by the resolver, which can suggest the closest.
  rebuildOn: z.array(z.string()).optional(),
  ecs: ecsSchema.optional(),
  provision: provisionSchema.optional(),
});

const syncSchema = z.object({
  direction: oneOf(['local', 'origin']),
  cron,
  branches: z.object({ origin: branch, local: branch }),
});

const localSchema = z.object({
  git: gitUrl,
  defaultBranch: branch.default('main'),
});

const originSchema = z.object({
  git: gitUrl,
  defaultBranch: branch.default('main'),
  defaultBranchFrom: branch.optional(),
});

export const repositorySchema = z
  .object({
    id,
    name,
    build: buildSchema.optional(),
    sync: z.array(syncSchema).default([]),
    local: localSchema,
    origin: originSchema.optional(),
  })
  // The normalization of defaults that depend on other fields: the build branch follows the
  // repository's default branch, the carbon branch follows the build branch.
  .transform(({ build, origin, ...repository }) => {
    const buildBranch = build?.branch ?? repository.local.defaultBranch;
    return {
      ...repository,
      build: build && {
        ...build,
        branch: buildBranch,
        carbonBranch: build.carbonBranch ?? buildBranch,
        ecs: {
          ...build.ecs,
          // A CloudFormation provision deploys the image itself (see ProvisionSettings).
          deploy: build.ecs?.deploy ?? (build.provision?.cloudformation ? 'none' : 'ecs_service'),
        },
      },
      origin: origin && {
        ...origin,
        defaultBranchFrom: origin.defaultBranchFrom ?? origin.defaultBranch,
      },
    };
  });

export const projectSchema = z.object({
  id,
  name,
  projectKey: checked('invalid-project-key', checkProjectKey).optional(),
  boardId: z
    .union([z.string(), z.number()])
    .superRefine(
      valueCheck((value: string | number) => {
        const message = checkBoardId(value);
        return message === undefined ? undefined : { code: 'invalid-board-id', message };
      }),
    )
    .transform(String)
    .optional(),
  avatar: httpsUrl.optional(),
  hero: httpsUrl.optional(),
  aws: awsSchema.default({}),
  repositories: z.array(repositorySchema).min(1, 'a project needs at least one repository'),
});

/** A GitHub id as written (a number or a string of digits), normalized to the string the API takes. */
const githubId = z
  .union([z.string(), z.number()])
  .superRefine(
    valueCheck((value: string | number) => {
      const message = checkGithubId(value);
      return message === undefined ? undefined : { code: 'invalid-github-id', message };
    }),
  )
  .transform(String);

const configRepositorySchema = z.object({
  githubId,
  ref: branch.default('main'),
});

/** What the GitHub App integration needs of the other `circleci` fields. */
function gitHubAppProblem(circleci: {
  integration: string;
  scheduling: string;
  configRepository?: unknown;
}): Issue | undefined {
  if (circleci.integration !== 'github-app') return undefined;
  if (circleci.scheduling === 'scheduled-workflows')
    return {
      code: 'scheduling-unavailable',
      path: ['scheduling'],
      message:
        'GitHub App projects have no scheduled workflows: use "schedule-triggers" (their schedules are triggers of the pipeline)',
    };
  if (circleci.configRepository === undefined)
    return {
      code: 'missing-config-repository',
      path: ['integration'],
      message:
        "integration is \"github-app\" but configRepository is not set: give the GitHub id of the repository holding this workspace, as configRepository: { githubId: '952038793', ref: 'main' }",
    };
  return undefined;
}

function orbProblem(orb: {
  reference?: string;
  url?: string;
  namespace?: string;
}): Issue | undefined {
  if (orb.reference === 'url' && orb.url === undefined)
    return {
      code: 'missing-orb-url',
      path: ['url'],
      message: 'reference is "url" but no url is set: give the https URL the orb is served from',
    };
  if (orb.reference === 'registry' && orb.namespace === undefined)
    return {
      code: 'missing-orb-namespace',
      path: ['reference'],
      message:
        "reference is \"registry\" but no namespace is set: give orb.namespace, your organization's CircleCI orb namespace (`carbon apply` publishes the orb there), or write reference: 'inline'",
    };
  return undefined;
}

const ORB_DEFAULTS = { name: 'carbon', version: '1.0.0', reference: 'inline' as const };

const CIRCLECI_DEFAULTS = {
  context: 'carbon',
  scheduling: 'schedule-triggers' as const,
  scheduleActor: 'system' as const,
  integration: 'oauth' as const,
  projects: {},
  githubIds: {},
};

export const configSchema = z
  .object({
    orb: z
      .object({
        namespace: checked('invalid-orb-name', checkOrbName).optional(),
        name: checked('invalid-orb-name', checkOrbName).default('carbon'),
        version: checked('invalid-version', checkSemver).default('1.0.0'),
        reference: oneOf(['registry', 'url', 'inline']).optional(),
        url: checked('invalid-url', checkOrbUrl).optional(),
      })
      .superRefine(valueCheck(orbProblem))
      .transform(({ reference, ...orb }) => ({
        ...orb,
        // A published orb lives in a namespace the workspace chose: none chosen, the orb is inline.
        reference: reference ?? (orb.namespace === undefined ? 'inline' : 'registry'),
      }))
      .default(ORB_DEFAULTS),
    circleci: z
      .object({
        context: checked('invalid-context', checkContext).default('carbon'),
        syncContext: checked('invalid-context', checkContext).optional(),
        cascadeContext: checked('invalid-context', checkContext).optional(),
        scheduling: oneOf(['schedule-triggers', 'scheduled-workflows']).default(
          'schedule-triggers',
        ),
        scheduleActor: oneOf(['system', 'current']).default('system'),
        integration: oneOf(['oauth', 'github-app']).default('oauth'),
        configRepository: configRepositorySchema.optional(),
        projects: z
          .record(z.string(), checked('invalid-project-slug', checkProjectSlug))
          .default({}),
        githubIds: z.record(z.string(), githubId).default({}),
      })
      .superRefine(valueCheck(gitHubAppProblem))
      .default(CIRCLECI_DEFAULTS),
    aws: awsSchema.default({}),
    git: z
      .object({
        transport: oneOf(['ssh', 'https']).default('ssh'),
        sshKeys: z.record(z.string(), checked('invalid-fingerprint', checkFingerprint)).default({}),
      })
      .default({ transport: 'ssh', sshKeys: {} }),
    workspace: checked('invalid-workspace', checkWorkspace).optional(),
    env: z.array(checked('invalid-env-name', checkEnvName)).default([]),
    jira: z.object({ baseUrl: httpsUrl.optional() }).default({}),
  })
  .default({
    orb: ORB_DEFAULTS,
    circleci: CIRCLECI_DEFAULTS,
    aws: {},
    git: { transport: 'ssh', sshKeys: {} },
    env: [],
    jira: {},
  });

/** A project with every default filled in. */
export type Project = z.output<typeof projectSchema>;
export type Repository = Project['repositories'][number];
export type Build = NonNullable<Repository['build']>;
export type SyncRuleSettings = Repository['sync'][number];
/** The workspace configuration with every default filled in. */
export type Config = z.output<typeof configSchema>;
export type Aws = z.output<typeof awsSchema>;

// What users write must be what the schema reads: a drift between types.ts and this file fails
// the type check here rather than in a user's editor. Every written shape must be accepted by the
// schema, and each object level must have exactly the same field names.
type Fits<From, To> = [From] extends [To] ? true : never;
type SameKeys<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? true
    : never
  : never;
type In<T extends z.ZodType> = NonNullable<z.input<T>>;
export const typesAgree: [
  Fits<ProjectSettings, z.input<typeof projectSchema>>,
  Fits<CarbonConfig, z.input<typeof configSchema>>,
  SameKeys<ProjectSettings, In<typeof projectSchema>>,
  SameKeys<RepositorySettings, In<typeof repositorySchema>>,
  SameKeys<BuildSettings, In<typeof buildSchema>>,
  SameKeys<EcsSettings, In<typeof ecsSchema>>,
  SameKeys<ProvisionSettings, In<typeof provisionSchema>>,
  SameKeys<CloudFormationSettings, In<typeof cloudFormationSchema>>,
  SameKeys<SyncRule, In<typeof syncSchema>>,
  SameKeys<OriginRemote, In<typeof originSchema>>,
  SameKeys<LocalRemote, In<typeof localSchema>>,
  SameKeys<AwsSettings, In<typeof awsSchema>>,
  SameKeys<CarbonConfig, In<typeof configSchema>>,
  SameKeys<CircleCISettings, NonNullable<In<typeof configSchema>['circleci']>>,
  SameKeys<ConfigRepository, In<typeof configRepositorySchema>>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
