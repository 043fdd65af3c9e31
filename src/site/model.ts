// The site's page model: plain data saying what each page shows, built from the resolved workspace
// (whose projects carry what people see of them: Jira key, board, images). The renderer (render.ts) only turns it into HTML; tests read it
// directly. Links are relative to the page they appear on.
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { needsConfig } from '../emit/config.ts';
import { rebuiltWhen } from '../inspect/listing.ts';
import { GENERATED_FOLDER } from '../output/layout.ts';
import type { ResolvedProject, ResolvedRepository, SyncPlan, Workspace } from '../resolve/model.ts';
import { avatarOf, heroOf, type Avatar, type Hero } from './avatar.ts';
import { linkGraph, type LinkGraph } from './graph.ts';
import {
  circleCiLinks,
  jiraLinks,
  type CircleCiLinks,
  type JiraLinks,
  type Link,
} from './links.ts';
import {
  cadenceOf,
  dayText,
  describeCadence,
  isoMinute,
  nextRuns,
  type NextRun,
  type Scheduling,
} from '../settings/cadence.ts';

export interface Site {
  /** When next runs were computed from: `2025-11-26T15:40Z`. */
  asOf: string;
  asOfText: string;
  index: IndexPage;
  projects: ProjectPage[];
}

export interface IndexPage {
  path: 'index.html';
  cards: ProjectCard[];
  totals: { projects: number; repositories: number; builds: number; syncs: number };
}

export interface ProjectCard {
  id: string;
  name: string;
  /** The project's page, relative to the index. */
  href: string;
  avatar: Avatar;
  hero: Hero;
  repositoryCount: number;
  buildCount: number;
  syncCount: number;
  jira: JiraLinks;
  /** Lower-case text the index's filter matches: name, id and Jira key. */
  search: string;
}

export interface ProjectPage {
  id: string;
  name: string;
  /** Relative to the site folder. */
  path: string;
  /** The settings module, relative to the workspace. */
  source: string;
  avatar: Avatar;
  hero: Hero;
  jira: JiraLinks;
  /** The index, relative to this page. */
  indexHref: string;
  repositories: RepositoryView[];
  graph: LinkGraph;
  scheduling: Scheduling;
}

export interface RepositoryView {
  id: string;
  name: string;
  /** Fragment id of the repository's section. */
  anchor: string;
  local: { url: string; defaultBranch: string };
  origin?: { url: string; defaultBranch: string };
  build?: BuildView;
  circleci: CircleCiLinks;
  /** The generated config (and schedules), when the repository has one. */
  config?: GeneratedLink;
  schedules?: GeneratedLink;
  syncs: SyncView[];
}

export interface GeneratedLink extends Link {
  /** Whether the file is on disk: it is not until `carbon generate` has run. */
  exists: boolean;
}

export interface BuildView {
  enabled: boolean;
  branch: string;
  job: string;
  carbon: { repository: string; branch: string };
  linked: { repository: string; branch: string }[];
  /** What rebuilds it, in words: `Taxaroo-Carbon develop or Taxaroo-App develop changes`; '' when nothing does. */
  rebuiltWhen: string;
  ecrRepository: string;
  /** The image's registry address: `<account>.dkr.ecr.<region>.amazonaws.com/<repository>`. */
  imageUri: string;
  region: string;
  cluster: string;
  service: string;
  /** What happens after the push, in words. */
  deploy: string;
  /** The carbon repository's environment step before the deploy, in words, when there is one. */
  provision?: string;
}

export interface SyncView {
  name: string;
  direction: 'local' | 'origin';
  cron: string;
  /** When, in words: "every hour (at a minute CircleCI picks)". */
  when: string;
  /** The whole rule: "Every hour (at a minute CircleCI picks), copy origin develop into local sync/develop". */
  words: string;
  nextRuns: NextRun[];
}

export interface SiteInput {
  workspace: Workspace;
  /** The workspace root and the site folder, absolute. */
  root: string;
  out: string;
  now: Date;
}

const PROJECTS_FOLDER = 'projects';

export function siteModel({ workspace, root, out, now }: SiteInput): Site {
  const jiraBase = workspace.config.jira.baseUrl;
  const projects = [...workspace.projects]
    .sort((a, b) => a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id, 'en'))
    .map((project) => {
      const { avatar, hero, projectKey, boardId } = project.display;
      return projectPage(project, {
        root,
        out,
        now,
        scheduling: workspace.config.circleci.scheduling,
        avatar: avatarOf(project.id, project.name, avatar),
        hero: heroOf(project.id, hero),
        jira: jiraLinks(jiraBase, projectKey, boardId),
      });
    });
  const cards = projects.map(card);
  return {
    asOf: isoMinute(now),
    asOfText: `${dayText(now)} ${isoMinute(now).slice(11, 16)} UTC`,
    index: {
      path: 'index.html',
      cards,
      totals: {
        projects: cards.length,
        repositories: sum(cards.map((c) => c.repositoryCount)),
        builds: sum(cards.map((c) => c.buildCount)),
        syncs: sum(cards.map((c) => c.syncCount)),
      },
    },
    projects,
  };
}

interface ProjectContext {
  root: string;
  out: string;
  now: Date;
  scheduling: Scheduling;
  avatar: Avatar;
  hero: Hero;
  jira: JiraLinks;
}

function projectPage(project: ResolvedProject, context: ProjectContext): ProjectPage {
  const path = `${PROJECTS_FOLDER}/${project.id}.html`;
  return {
    id: project.id,
    name: project.name,
    path,
    source: slashes(relative(context.root, project.source.file)),
    avatar: context.avatar,
    hero: context.hero,
    jira: context.jira,
    indexHref: '../index.html',
    repositories: project.repositories.map((repository) => repositoryView(repository, context)),
    graph: linkGraph(project),
    scheduling: context.scheduling,
  };
}

function repositoryView(repository: ResolvedRepository, context: ProjectContext): RepositoryView {
  const build = repository.build;
  const view: RepositoryView = {
    id: repository.id,
    name: repository.name,
    anchor: `repo-${repository.id}`,
    local: repository.local,
    circleci: circleCiLinks(
      repository.local.url,
      build?.enabled ? build.branch : repository.local.defaultBranch,
    ),
    syncs: repository.syncs.map((sync) => syncView(sync, context)),
  };
  if (repository.origin) view.origin = repository.origin;
  if (build) {
    view.build = {
      enabled: build.enabled,
      branch: build.branch,
      job: build.job,
      carbon: { repository: build.carbon.repository, branch: build.carbon.branch },
      linked: build.linked.map(({ repository: id, branch }) => ({ repository: id, branch })),
      rebuiltWhen: rebuiltWhen(build.rebuiltBy).join(' '),
      ecrRepository: build.image.ecrRepository,
      imageUri: `${build.aws.accountId}.dkr.ecr.${build.aws.region}.amazonaws.com/${build.image.ecrRepository}`,
      region: build.aws.region,
      cluster: build.deploy.cluster,
      service: build.deploy.service,
      deploy: deployWords(build.deploy, build.provision),
      ...(build.provision ? { provision: provisionWords(build.provision) } : {}),
    };
  }
  if (needsConfig(repository)) {
    const folder = `${GENERATED_FOLDER}/${repository.projectId}/${repository.id}/.circleci`;
    view.config = generatedLink(`${folder}/config.yml`, context);
    if (context.scheduling === 'schedule-triggers' && repository.syncs.length > 0)
      view.schedules = generatedLink(`${folder}/schedules.yml`, context);
  }
  return view;
}

type Build = NonNullable<ResolvedRepository['build']>;

function deployWords(deploy: Build['deploy'], provision: Build['provision']): string {
  if (deploy.mode === 'ecs_service')
    return `rolls ECS service ${deploy.service} (container ${deploy.container}) in cluster ${deploy.cluster} onto the new image`;
  if (deploy.mode === 'hook')
    return `runs ${deploy.hook} from the carbon repository with the new image`;
  if (provision?.kind === 'cloudformation')
    return `by the stack ${provision.stack}, which takes the new image and rolls the service itself`;
  return 'none: the image is pushed, nothing is deployed';
}

function provisionWords(provision: NonNullable<Build['provision']>): string {
  if (provision.kind === 'hook')
    return `runs ${provision.hook} from the carbon repository, after the push and before the deploy`;
  return `deploys ${provision.template} from the carbon repository as the CloudFormation stack ${provision.stack}, with the new image as its ImageUri parameter`;
}

/** A link from a project page to a file of the workspace (`generated/...`). */
function generatedLink(path: string, { root, out }: ProjectContext): GeneratedLink {
  const target = join(root, path);
  const href = slashes(relative(join(out, PROJECTS_FOLDER), target))
    .split('/')
    .map(encodeURIComponent)
    .join('/');
  return { text: path, href, exists: existsSync(target) };
}

function syncView(sync: SyncPlan, { scheduling, now }: ProjectContext): SyncView {
  const cadence = cadenceOf(sync.cron, scheduling);
  const when = describeCadence(cadence);
  return {
    name: sync.name,
    direction: sync.direction,
    cron: sync.cron,
    when,
    words: `${when[0]!.toUpperCase()}${when.slice(1)}, copy ${sync.from.side} ${sync.from.branch} into ${sync.to.side} ${sync.to.branch}`,
    nextRuns: nextRuns(cadence, now),
  };
}

function card(page: ProjectPage): ProjectCard {
  return {
    id: page.id,
    name: page.name,
    href: page.path,
    avatar: page.avatar,
    hero: page.hero,
    repositoryCount: page.repositories.length,
    buildCount: page.repositories.filter((r) => r.build?.enabled).length,
    syncCount: sum(page.repositories.map((r) => r.syncs.length)),
    jira: page.jira,
    search: [page.name, page.id, page.jira.key ?? ''].join(' ').toLowerCase(),
  };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function slashes(path: string): string {
  return path.split(sep).join('/');
}
