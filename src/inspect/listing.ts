// What the settings produce, project by project and repository by repository: the data behind
// `carbon ls` (its table and its --json). Built from the resolved model, so it shows exactly what
// generate would emit: the build branch, what a build checks out, where the image goes, how it is
// deployed, what rebuilds it, and each sync rule with its schedule told as the generated files
// schedule it.
import { relative, sep } from 'node:path';
import type { DeployMode, ProvisionPlan, ResolvedRepository, Workspace } from '../resolve/model.ts';
import { cadenceOf, describeCadence } from '../settings/cadence.ts';

export interface ProjectListing {
  id: string;
  name: string;
  /** The settings module, relative to the workspace, `/`-separated. */
  source: string;
  repositories: RepositoryListing[];
}

export interface RepositoryListing {
  id: string;
  name: string;
  /** Absent when the repository has no build (the carbon repository, a repository that only syncs). */
  build?: BuildListing;
  syncs: SyncListing[];
}

export interface BuildListing {
  enabled: boolean;
  /** Pushes to this branch build and deploy. */
  branch: string;
  carbon: { repository: string; branch: string };
  /** The other repositories the build checks out, each at its branch. */
  linked: { repository: string; branch: string }[];
  /** The checkouts whose changes rebuild it (cascades): none when cascades are off for it. */
  rebuiltBy: { repository: string; branch: string }[];
  ecrRepository: string;
  deploy: {
    mode: DeployMode;
    cluster: string;
    service: string;
    container: string;
    hook?: string;
  };
  /** The carbon repository's environment step, run before the deploy, when the build has one. */
  provision?: ProvisionPlan;
}

export interface SyncListing {
  name: string;
  direction: 'local' | 'origin';
  cron: string;
  from: { side: 'origin' | 'local'; branch: string };
  to: { side: 'origin' | 'local'; branch: string };
  /** When it runs, in words, as the generated schedules have it. */
  when: string;
}

export function listWorkspace(workspace: Workspace, root: string): ProjectListing[] {
  const scheduling = workspace.config.circleci.scheduling;
  return [...workspace.projects]
    .sort((a, b) => a.id.localeCompare(b.id, 'en'))
    .map((project) => ({
      id: project.id,
      name: project.name,
      source: relative(root, project.source.file).split(sep).join('/'),
      repositories: project.repositories.map((repository) => ({
        id: repository.id,
        name: repository.name,
        ...(repository.build ? { build: buildListing(repository.build) } : {}),
        syncs: repository.syncs.map((sync) => ({
          name: sync.name,
          direction: sync.direction,
          cron: sync.cron,
          from: { side: sync.from.side, branch: sync.from.branch },
          to: { side: sync.to.side, branch: sync.to.branch },
          when: describeCadence(cadenceOf(sync.cron, scheduling)),
        })),
      })),
    }));
}

function buildListing(build: NonNullable<ResolvedRepository['build']>): BuildListing {
  const { mode, cluster, service, container, hook } = build.deploy;
  return {
    enabled: build.enabled,
    branch: build.branch,
    carbon: { repository: build.carbon.repository, branch: build.carbon.branch },
    linked: build.linked.map(({ repository, branch }) => ({ repository, branch })),
    rebuiltBy: build.rebuiltBy.map(({ repository, branch }) => ({ repository, branch })),
    ecrRepository: build.image.ecrRepository,
    deploy: { mode, cluster, service, container, ...(hook === undefined ? {} : { hook }) },
    ...(build.provision ? { provision: build.provision } : {}),
  };
}

/**
 * What rebuilds a build, as a sentence cut after each source: `Taxaroo-Carbon develop or`,
 * `Taxaroo-App develop changes` (`carbon ls` shows a line each; the site and the narrow layout
 * join them). Empty when nothing does.
 */
export function rebuiltWhen(sources: { repository: string; branch: string }[]): string[] {
  return sources.map(({ repository, branch }, at) => {
    const after = at === sources.length - 1 ? ' changes' : at === sources.length - 2 ? ' or' : ',';
    return `${repository} ${branch}${after}`;
  });
}
