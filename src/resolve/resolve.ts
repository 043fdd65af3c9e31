// resolve: runs the cross-repository rules over the parsed settings and, when none fails, follows
// every link into the resolved model that emit reads.
import { hasErrors, type Diagnostic } from '../diagnostics.ts';
import type { ParsedProject } from '../settings/parse.ts';
import type { Config, Repository } from '../settings/schema.ts';
import { conventionalEcsNames, renderGitUrl, sshKeyFor } from './links.ts';
import type {
  BuildPlan,
  Checkout,
  ResolvedProject,
  ResolvedRepository,
  SyncEnd,
  SyncPlan,
} from './model.ts';
import { resolveCascades } from './cascade.ts';
import { lookUpCarbonRepository, repositoriesOf, type RuleContext } from './context.ts';
import { resolveProvision } from './provision.ts';
import { PROJECT_RULES, projectAws } from './rules.ts';

export interface Resolved {
  /** Absent when the settings have errors: nothing may be emitted from them. */
  projects?: ResolvedProject[];
  diagnostics: Diagnostic[];
}

/**
 * Runs the rules of one module's projects and, when neither they nor the earlier stages (`blocked`)
 * found an error, follows every link into the resolved model.
 */
export function resolveProjects(context: RuleContext, blocked: boolean): Resolved {
  const diagnostics = PROJECT_RULES.flatMap((rule) => rule(context));
  if (blocked || hasErrors(diagnostics)) return { diagnostics };
  return {
    projects: context.projects.map((project) => resolveProject(context.config, project)),
    diagnostics,
  };
}

function resolveProject(config: Config, project: ParsedProject): ResolvedProject {
  const { byId } = repositoriesOf(project);
  const repositories = project.repositories.map(({ index, settings }) => {
    const resolved: ResolvedRepository = {
      id: settings.id,
      index,
      name: settings.name,
      projectId: project.settings.id,
      local: {
        url: renderGitUrl(settings.local.git, config.git.transport),
        defaultBranch: settings.local.defaultBranch,
      },
      syncs: resolveSyncs(config, settings),
      cascades: [],
    };
    if (settings.origin) {
      resolved.origin = {
        url: renderGitUrl(settings.origin.git, config.git.transport),
        defaultBranch: settings.origin.defaultBranch,
      };
    }
    if (settings.build) resolved.build = resolveBuild(config, project, settings, byId);
    return resolved;
  });
  resolveCascades(config, project, repositories);
  return {
    id: project.settings.id,
    name: project.settings.name,
    source: project.source,
    display: displayOf(project.settings),
    repositories,
  };
}

function resolveBuild(
  config: Config,
  project: ParsedProject,
  repository: Repository,
  byId: Map<string, Repository>,
): BuildPlan {
  const build = repository.build!;
  const transport = config.git.transport;
  const lookup = lookUpCarbonRepository(project, repository, build.carbonRepo);
  const carbonGit =
    lookup.kind === 'member'
      ? byId.get(lookup.id)!.local.git
      : lookup.kind === 'sibling'
        ? lookup.url!
        : '';
  const checkout = (id: string, git: string, branch: string): Checkout => {
    const sshKey = sshKeyFor(git, config.git.sshKeys);
    return {
      repository: id,
      url: renderGitUrl(git, transport),
      branch,
      path: id,
      ...(sshKey ? { sshKey } : {}),
    };
  };
  const carbon = checkout(build.carbonRepo, carbonGit, build.carbonBranch);
  const linked = Object.entries(build.branches).map(([id, branch]) =>
    checkout(id, byId.get(id)!.local.git, branch),
  );
  const aws = projectAws(config, project);
  const names = {
    ...conventionalEcsNames(project.settings.id, repository.id, build.branch, build.carbonRepo),
    ...definedOnly(build.ecs),
  };
  const provision = resolveProvision(project.settings.id, repository.id, build);
  return {
    enabled: build.enabled,
    strategy: build.strategy,
    job: build.job,
    branch: build.branch,
    path: repository.id,
    carbon,
    linked,
    aws: { region: aws.region, accountId: aws.accountId!, roleArn: aws.roleArn! },
    image: {
      ecrRepository: names.ecrRepository,
      dockerfile: names.dockerfile,
      context: names.context,
    },
    deploy: {
      mode: build.ecs.deploy,
      cluster: names.cluster,
      service: names.service,
      container: build.ecs.container ?? names.service,
      ...(build.ecs.hook !== undefined ? { hook: build.ecs.hook } : {}),
    },
    ...(provision ? { provision } : {}),
    rebuiltBy: [],
  };
}

function resolveSyncs(config: Config, repository: Repository): SyncPlan[] {
  const origin = repository.origin;
  if (!origin) return [];
  const end = (side: 'origin' | 'local', git: string, branch: string): SyncEnd => {
    const sshKey = sshKeyFor(git, config.git.sshKeys);
    return {
      side,
      url: renderGitUrl(git, config.git.transport),
      branch,
      ...(sshKey ? { sshKey } : {}),
    };
  };
  return repository.sync.map((rule, index) => {
    const originEnd = end('origin', origin.git, rule.branches.origin);
    const localEnd = end('local', repository.local.git, rule.branches.local);
    const [from, to] = rule.direction === 'local' ? [originEnd, localEnd] : [localEnd, originEnd];
    return {
      name: `carbon-sync-to-${to.side}-${to.branch}`,
      direction: rule.direction,
      cron: rule.cron,
      from,
      to,
      index,
    };
  });
}

/** The fields of an override object that were actually set. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The fields of a project meant for people: only those that are set. */
function displayOf({
  projectKey,
  boardId,
  avatar,
  hero,
}: ParsedProject['settings']): ResolvedProject['display'] {
  return definedOnly({ projectKey, boardId, avatar, hero });
}
