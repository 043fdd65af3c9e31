// Cascades: which pushes rebuild which builds. A build is rebuilt when anything it checks out (its
// carbon repository, a repository of `branches`) changes on the branch it checks out, narrowed by
// `build.rebuildOn`. How the rebuild starts depends on the integration: GitHub App projects have
// CircleCI's cross-repo triggers (`carbon apply` makes them on the dependent's pipeline); OAuth
// projects have none, so the pipeline of the repository that changed triggers its dependents
// through the API, with the token of `circleci.cascadeContext`; without one, OAuth cascades are off.
//
// A cascade never cascades: a cross-repo trigger reacts to pushes, which builds never make, and the
// OAuth trigger job runs only in pipelines without the `carbon_cascade` parameter, which every
// pipeline it starts carries. So links may form cycles: a push rebuilds each build that checks out
// what it changed, once, and nothing more.
import { error, quote, warning, type Diagnostic, type PathSegment } from '../diagnostics.ts';
import type { ParsedProject } from '../settings/parse.ts';
import type { Build, Config, Repository } from '../settings/schema.ts';
import { didYouMean } from '../suggest.ts';
import { at, eachRepository, lookUpCarbonRepository, type Rule } from './context.ts';
import { circleCiProjectSlug, gitKey } from './links.ts';
import type { Cascade, CascadeSource, ResolvedRepository } from './model.ts';

/** One checkout of a build beside its own: the carbon repository or a repository of `branches`. */
export interface BuildInput {
  repository: string;
  branch: string;
  carbon: boolean;
  /** Where the link is written, below the build. */
  path: PathSegment[];
}

/** Every checkout of a build beside its own, the carbon repository first. */
export function buildInputs(build: Build): BuildInput[] {
  return [
    {
      repository: build.carbonRepo,
      branch: build.carbonBranch,
      carbon: true,
      path: ['carbonRepo'],
    },
    ...Object.entries(build.branches).map(([repository, branch]) => ({
      repository,
      branch,
      carbon: false,
      path: ['branches', repository],
    })),
  ];
}

/** The checkouts whose changes rebuild the build: every one, or those `rebuildOn` names. */
export function rebuildInputs(build: Build): BuildInput[] {
  const inputs = buildInputs(build);
  const named = build.rebuildOn;
  return named === undefined ? inputs : inputs.filter((input) => named.includes(input.repository));
}

/** Whether the workspace's builds are started again by changes to what they check out. */
export function cascadesOn(config: Config): boolean {
  return (
    config.circleci.integration === 'github-app' || config.circleci.cascadeContext !== undefined
  );
}

export const rebuildOnNamesCheckouts: Rule = (context) => {
  const found: Diagnostic[] = [];
  for (const { project, index, repository } of eachRepository(context)) {
    const build = repository.build;
    if (!build?.rebuildOn) continue;
    const ids = buildInputs(build).map((input) => input.repository);
    build.rebuildOn.forEach((name, entry) => {
      if (ids.includes(name)) return;
      const why =
        name === repository.id
          ? 'is this repository itself: its own pushes build it already'
          : `is not checked out by this build${didYouMean(name, ids)}`;
      found.push(
        error(
          'unknown-rebuild-input',
          at(project, 'repositories', index, 'build', 'rebuildOn', entry),
          `${quote(name)} ${why}: rebuildOn names what the build checks out (${ids.map((id) => quote(id)).join(', ')}), or is [] for no cascade`,
        ),
      );
    });
  }
  return found;
};

/** `host/owner` of a written git URL, lower-cased; undefined for file URLs. */
function ownerOf(written: string): string | undefined {
  return gitKey(written)?.split('/').slice(0, 2).join('/').toLowerCase();
}

/** The written git URL of a build input, when it names a repository Carbon can find. */
function inputGit(project: ParsedProject, repository: Repository, input: BuildInput) {
  if (!input.carbon)
    return project.repositories.find((r) => r.settings.id === input.repository)?.settings.local.git;
  const lookup = lookUpCarbonRepository(project, repository, input.repository);
  if (lookup.kind === 'member')
    return project.repositories.find((r) => r.settings.id === lookup.id)?.settings.local.git;
  return lookup.kind === 'sibling' ? lookup.url : undefined;
}

export const cascadesStayInOneOrganization: Rule = (context) => {
  const found: Diagnostic[] = [];
  if (context.config.circleci.integration !== 'github-app') return found;
  for (const { project, index, repository } of eachRepository(context)) {
    const build = repository.build;
    if (!build?.enabled) continue;
    const owner = ownerOf(repository.local.git);
    for (const input of rebuildInputs(build)) {
      const git = inputGit(project, repository, input);
      const other = git === undefined ? undefined : ownerOf(git);
      if (owner === undefined || other === undefined || other === owner) continue;
      found.push(
        error(
          'cascade-across-organizations',
          at(project, 'repositories', index, 'build', ...input.path),
          `${quote(input.repository)} is in ${other} but ${quote(repository.id)} in ${owner}: CircleCI's ` +
            'cross-repo triggers, which rebuild this build when what it checks out changes, need both in one GitHub organization; move one, or leave ' +
            `${quote(input.repository)} out of build.rebuildOn`,
        ),
      );
    }
  }
  return found;
};

export const cascadeTargetsHaveProjects: Rule = (context) => {
  const found: Diagnostic[] = [];
  const { circleci } = context.config;
  if (circleci.integration !== 'oauth' || circleci.cascadeContext === undefined) return found;
  for (const { project, index, repository } of eachRepository(context)) {
    if (!repository.build?.enabled || inProjectInputs(project, repository).length === 0) continue;
    const slug = circleCiProjectSlug(
      circleci,
      project.settings.id,
      repository.id,
      repository.local.git,
    );
    if (slug !== undefined) continue;
    found.push(
      warning(
        'cascade-without-project',
        at(project, 'repositories', index, 'build'),
        `changes to what this build checks out cannot rebuild it: ${repository.local.git} is on neither GitHub nor Bitbucket, so the trigger cannot name its CircleCI project; ` +
          `add ${quote(`${project.settings.id}/${repository.id}`)}: "<vcs>/<org>/<repo>" to circleci.projects, or set rebuildOn: [] to do without`,
      ),
    );
  }
  return found;
};

export const CASCADE_RULES: Rule[] = [
  rebuildOnNamesCheckouts,
  cascadesStayInOneOrganization,
  cascadeTargetsHaveProjects,
];

/**
 * The inputs of a build that are repositories of its project: with OAuth, only those run a
 * config of Carbon's on their pushes, which can trigger the build.
 */
function inProjectInputs(project: ParsedProject, repository: Repository): BuildInput[] {
  const ids = new Set(project.repositories.map((r) => r.settings.id));
  return repository.build
    ? rebuildInputs(repository.build).filter((i) => ids.has(i.repository))
    : [];
}

/**
 * The links of a project's enabled builds that an OAuth cascade would follow, in words
 * (`Taxaroo-API-V2 on Taxaroo-Carbon develop`): what the workspace's warning that cascades are off
 * counts and names.
 */
export function cascadeLinks(project: ParsedProject): string[] {
  return project.repositories.flatMap(({ settings }) =>
    settings.build?.enabled
      ? inProjectInputs(project, settings).map(
          (input) => `${project.settings.id}/${settings.id} on ${input.repository} ${input.branch}`,
        )
      : [],
  );
}

/**
 * Fills in what rebuilds each enabled build (`rebuiltBy`) and, with OAuth, what each repository's
 * pushes trigger (`cascades`), from the resolved checkouts.
 */
export function resolveCascades(
  config: Config,
  project: ParsedProject,
  repositories: ResolvedRepository[],
): void {
  if (!cascadesOn(config)) return;
  const oauth = config.circleci.integration === 'oauth';
  const byId = new Map(repositories.map((repository) => [repository.id, repository]));
  for (const { settings } of project.repositories) {
    const dependent = byId.get(settings.id)!;
    const build = dependent.build;
    if (!build?.enabled || !settings.build) continue;
    const slug = circleCiProjectSlug(
      config.circleci,
      project.settings.id,
      dependent.id,
      settings.local.git,
    );
    if (oauth && slug === undefined) continue;
    const named = new Set(rebuildInputs(settings.build).map((input) => input.repository));
    for (const checkout of [build.carbon, ...build.linked]) {
      if (!named.has(checkout.repository)) continue;
      const source = byId.get(checkout.repository);
      if (oauth && !source) continue;
      const from: CascadeSource = {
        repository: checkout.repository,
        branch: checkout.branch,
        url: checkout.url,
        carbon: checkout === build.carbon,
        ...(source ? { defaultBranch: source.local.defaultBranch } : {}),
      };
      build.rebuiltBy.push(from);
      if (oauth)
        addDependent(source!.cascades, checkout.branch, {
          repository: dependent.id,
          slug: slug!,
          branch: build.branch,
        });
    }
  }
}

function addDependent(cascades: Cascade[], branch: string, target: Cascade['dependents'][number]) {
  const cascade = cascades.find((candidate) => candidate.branch === branch);
  if (cascade) cascade.dependents.push(target);
  else cascades.push({ branch, dependents: [target] });
}
