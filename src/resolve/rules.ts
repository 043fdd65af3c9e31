// The cross-repository rules: small named checks over the parsed settings. Every rule runs and
// reports everything it finds; none depends on another having passed.
import { error, quote, warning, type Diagnostic } from '../diagnostics.ts';
import type { ParsedProject } from '../settings/parse.ts';
import type { Config } from '../settings/schema.ts';
import {
  at,
  eachRepository,
  knownDirection,
  lookUpCarbonRepository,
  repositoriesOf,
  syncTarget,
  type Rule,
} from './context.ts';
import { CASCADE_RULES } from './cascade.ts';
import { CREDENTIAL_RULES } from './credentials.ts';
import { PROVISION_RULES } from './provision.ts';
import { didYouMean } from '../suggest.ts';
import { checkEcrRepository, checkEcsName } from '../settings/values.ts';
import { conventionalEcsNames, renderGitUrl } from './links.ts';
import { STRATEGIES, isStrategy } from './strategies.ts';
import { legacyCronProblem, toTimetable } from '../settings/timetable.ts';
import { parseCron } from '../settings/cron.ts';

export const repositoryIdsAreUnique: Rule = ({ projects }) => {
  const found: Diagnostic[] = [];
  for (const project of projects) {
    const seen = new Map<string, string>();
    for (const { index, settings } of project.repositories) {
      const key = settings.id.toLowerCase();
      const earlier = seen.get(key);
      if (earlier === undefined) {
        seen.set(key, settings.id);
        continue;
      }
      const how =
        earlier === settings.id ? 'is already used' : `differs only in case from ${quote(earlier)}`;
      found.push(
        error(
          'duplicate-repository-id',
          at(project, 'repositories', index, 'id'),
          `repository id ${quote(settings.id)} ${how} in project ${quote(project.settings.id)}: ` +
            'ids name generated folders and checkouts, so they must be unique (ignoring case)',
        ),
      );
    }
  }
  return found;
};

export const carbonRepoExists: Rule = (context) => {
  const found: Diagnostic[] = [];
  for (const { project, index, repository } of eachRepository(context)) {
    const build = repository.build;
    if (!build) continue;
    const where = at(project, 'repositories', index, 'build', 'carbonRepo');
    if (build.carbonRepo === repository.id) {
      found.push(
        error(
          'carbon-repo-is-self',
          where,
          `carbonRepo ${quote(build.carbonRepo)} names this repository itself: name the repository that holds the Dockerfiles`,
        ),
      );
      continue;
    }
    const lookup = lookUpCarbonRepository(project, repository, build.carbonRepo);
    if (lookup.kind === 'typo') {
      found.push(
        error(
          'unknown-carbon-repo',
          where,
          `carbonRepo ${quote(build.carbonRepo)} is no repository of project ${quote(project.settings.id)} ` +
            `(did you mean ${quote(lookup.suggestion)}?)`,
        ),
      );
    } else if (lookup.kind === 'sibling') {
      found.push(
        warning(
          'carbon-repo-outside-project',
          where,
          `carbonRepo ${quote(build.carbonRepo)} is no repository of project ${quote(project.settings.id)}: ` +
            `taken as ${lookup.url ? renderGitUrl(lookup.url, context.config.git.transport) : 'the repository of that name beside this one'}; add it to the ` +
            "project's repositories to silence this",
        ),
      );
    }
  }
  return found;
};

export const linkedRepositoriesExist: Rule = (context) => {
  const found: Diagnostic[] = [];
  for (const { project, index, repository } of eachRepository(context)) {
    const build = repository.build;
    if (!build) continue;
    const { ids, known } = repositoriesOf(project);
    for (const linked of Object.keys(build.branches)) {
      const where = at(project, 'repositories', index, 'build', 'branches', linked);
      if (linked === repository.id) {
        found.push(
          error(
            'self-link',
            where,
            `${quote(linked)} is this repository itself: its own checkout is always there; remove it from branches`,
          ),
        );
      } else if (linked === build.carbonRepo) {
        found.push(
          error(
            'carbon-repo-linked',
            where,
            `${quote(linked)} is the carbon repository, which is checked out through carbonRepo and ` +
              'carbonBranch: remove it from branches (set carbonBranch to change its branch)',
          ),
        );
      } else if (!known.has(linked)) {
        found.push(
          error(
            'unknown-linked-repository',
            where,
            `${quote(linked)} is no repository of project ${quote(project.settings.id)}${didYouMean(linked, ids)}`,
          ),
        );
      }
    }
  }
  return found;
};

export const strategyIsKnown: Rule = (context) => {
  const found: Diagnostic[] = [];
  const known = Object.keys(STRATEGIES);
  for (const { project, index, repository } of eachRepository(context)) {
    const build = repository.build;
    if (!build) continue;
    if (!isStrategy(build.strategy)) {
      found.push(
        error(
          'unknown-strategy',
          at(project, 'repositories', index, 'build', 'strategy'),
          `${quote(build.strategy)} is not a known strategy${didYouMean(build.strategy, known)}; ` +
            `known strategies: ${known.map((k) => quote(k)).join(', ')}`,
        ),
      );
      continue;
    }
    const jobs: readonly string[] = STRATEGIES[build.strategy].jobs;
    if (!jobs.includes(build.job)) {
      found.push(
        error(
          'unknown-job',
          at(project, 'repositories', index, 'build', 'job'),
          `strategy ${quote(build.strategy)} provides no job ${quote(build.job)}${didYouMean(build.job, jobs)}; ` +
            `its jobs: ${jobs.map((j) => quote(j)).join(', ')}`,
        ),
      );
    }
  }
  return found;
};

export const syncNeedsOrigin: Rule = (context) => {
  const found: Diagnostic[] = [];
  for (const { project, index, repository } of eachRepository(context)) {
    if (repository.sync.length > 0 && !repository.origin) {
      found.push(
        error(
          'sync-without-origin',
          at(project, 'repositories', index, 'sync'),
          `repository ${quote(repository.id)} has sync rules but no origin: add origin { git, defaultBranch } ` +
            "(the client's repository) or remove sync",
        ),
      );
    }
  }
  return found;
};

export const syncAvoidsWorkingBranches: Rule = (context) => {
  const found: Diagnostic[] = [];
  for (const { project, index, repository } of eachRepository(context)) {
    repository.sync.forEach((rule, ruleIndex) => {
      if (!knownDirection(rule)) return;
      const target = syncTarget(rule);
      const roles: string[] = [];
      if (target.side === 'local') {
        if (target.branch === repository.local.defaultBranch) roles.push('the default branch');
        if (repository.build && target.branch === repository.build.branch)
          roles.push('the build branch');
      } else if (repository.origin && target.branch === repository.origin.defaultBranch) {
        roles.push("the client's default branch");
      }
      if (roles.length === 0) return;
      found.push(
        warning(
          'sync-into-working-branch',
          at(project, 'repositories', index, 'sync', ruleIndex, 'branches', target.side),
          `this rule writes ${quote(target.branch)}, ${roles.join(' and ')} of ${target.side}: a sync that ` +
            'cannot fast-forward fails there and blocks the schedule; prefer a branch of its own, as ' +
            `${quote(`sync/${rule.branches[rule.direction === 'local' ? 'origin' : 'local']}`)}`,
        ),
      );
    });
  }
  return found;
};

/** The AWS settings a project's builds use: the workspace's, overridden field by field by the project's. */
export function projectAws(config: Config, project: ParsedProject) {
  const aws = { ...config.aws, ...project.settings.aws };
  const accountId = aws.accountId ?? /^arn:[^:]+:iam::(\d{12}):/.exec(aws.roleArn ?? '')?.[1];
  return {
    region: aws.region ?? 'us-east-1',
    accountId,
    roleArn:
      aws.roleArn ??
      (accountId === undefined ? undefined : `arn:aws:iam::${accountId}:role/CarbonCircleCI`),
  };
}

export const awsAccountIsKnown: Rule = (context) => {
  if (context.configFailed) return [];
  const found: Diagnostic[] = [];
  for (const project of context.projects) {
    if (projectAws(context.config, project).accountId !== undefined) continue;
    const built = project.repositories.find((r) => r.settings.build?.enabled);
    if (!built) continue;
    found.push(
      error(
        'missing-aws-account',
        at(project, 'repositories', built.index, 'build'),
        `project ${quote(project.settings.id)} builds to ECR but no AWS account is set: add ` +
          "aws: { accountId: '123456789012' } to carbon.config.ts or to the project",
      ),
    );
  }
  return found;
};

export const derivedNamesAreValid: Rule = (context) => {
  const found: Diagnostic[] = [];
  for (const { project, index, repository } of eachRepository(context)) {
    const build = repository.build;
    if (!build) continue;
    const derived = conventionalEcsNames(
      project.settings.id,
      repository.id,
      build.branch,
      build.carbonRepo,
    );
    const checks: [keyof typeof derived, (value: string) => string | undefined][] = [
      ['ecrRepository', checkEcrRepository],
      ['cluster', checkEcsName],
      ['service', checkEcsName],
    ];
    for (const [field, check] of checks) {
      if (build.ecs[field] !== undefined) continue;
      const problem = check(derived[field]);
      if (problem === undefined) continue;
      found.push(
        error(
          'invalid-derived-name',
          at(project, 'repositories', index, 'build'),
          `the ${field} derived by convention is invalid (${problem}): set build.ecs.${field}`,
        ),
      );
    }
  }
  return found;
};

export const syncSchedulesFitCircleCI: Rule = (context) => {
  const found: Diagnostic[] = [];
  // A GitHub App schedule trigger takes the cron itself: nothing is lost, nothing to check.
  if (context.config.circleci.integration === 'github-app') return found;
  const legacy = context.config.circleci.scheduling === 'scheduled-workflows';
  for (const { project, index, repository } of eachRepository(context)) {
    repository.sync.forEach((rule, ruleIndex) => {
      // A cron that does not parse was reported by parse already.
      if (!parseCron(rule.cron).ok) return;
      const where = at(project, 'repositories', index, 'sync', ruleIndex, 'cron');
      if (legacy) {
        const problem = legacyCronProblem(rule.cron);
        if (problem)
          found.push(error('cron-not-schedulable', where, `${quote(rule.cron)}: ${problem}`));
        return;
      }
      const result = toTimetable(rule.cron);
      if (!result.ok) {
        found.push(
          error(
            'cron-not-schedulable',
            where,
            `${quote(rule.cron)} cannot be a CircleCI schedule trigger: ${result.reason}`,
          ),
        );
      } else if (result.minutesLost) {
        found.push(
          warning('cron-minutes-lost', where, `${quote(rule.cron)}: ${result.minutesLost}`),
        );
      }
    });
  }
  return found;
};

/** The rules that look at one project at a time, in the order their findings are reported. */
export const PROJECT_RULES: Rule[] = [
  repositoryIdsAreUnique,
  carbonRepoExists,
  linkedRepositoriesExist,
  strategyIsKnown,
  syncNeedsOrigin,
  syncAvoidsWorkingBranches,
  awsAccountIsKnown,
  derivedNamesAreValid,
  syncSchedulesFitCircleCI,
  ...CREDENTIAL_RULES,
  ...PROVISION_RULES,
  ...CASCADE_RULES,
];
