// Links to the services a project lives in, derived from the settings: CircleCI's pipeline page and
// status badge of a repository, and the project's Jira. Shown as text links: the site never loads
// anything from another host.
import { gitKey } from '../resolve/links.ts';

export interface Link {
  text: string;
  href: string;
}

/** CircleCI's name of a VCS host in OAuth (`github` or `bitbucket` organization) project slugs. */
const CIRCLECI_VCS: Record<string, { pipelines: string; badge: string }> = {
  'github.com': { pipelines: 'github', badge: 'gh' },
  'bitbucket.org': { pipelines: 'bitbucket', badge: 'bb' },
};

export type CircleCiLinks =
  { kind: 'project'; pipelines: Link; badge: Link } | { kind: 'none'; reason: string };

/**
 * The pipelines page and status badge of the CircleCI project of a repository hosted on GitHub or
 * Bitbucket Cloud, whose CircleCI project slug is `<vcs>/<owner>/<repo>` (organizations integrated
 * through the OAuth apps). The badge shows the given branch; a `/` in it is escaped, as CircleCI
 * asks. Projects integrated through the GitHub App are named by ids that the settings do not hold.
 */
export function circleCiLinks(gitUrl: string, branch: string): CircleCiLinks {
  const key = gitKey(gitUrl);
  const [host, owner, repo, ...rest] = key?.split('/') ?? [];
  const vcs = host === undefined ? undefined : CIRCLECI_VCS[host];
  if (!vcs || owner === undefined || repo === undefined || rest.length > 0) {
    return {
      kind: 'none',
      reason: 'no CircleCI project: the repository is not on GitHub or Bitbucket',
    };
  }
  const slug = `${owner}/${repo}`;
  const pipelines = `https://app.circleci.com/pipelines/${vcs.pipelines}/${slug}`;
  const badge = `https://dl.circleci.com/status-badge/img/${vcs.badge}/${slug}/tree/${encodeURIComponent(branch)}.svg?style=svg`;
  return {
    kind: 'project',
    pipelines: { text: pipelines, href: pipelines },
    badge: { text: badge, href: badge },
  };
}

export interface JiraLinks {
  key?: string;
  board?: string;
  /** Present when both `jira.baseUrl` and the key (or board) are set. */
  keyLink?: Link;
  boardLink?: Link;
}

/**
 * A project's Jira project and board. `/browse/<KEY>` and the board's `RapidBoard.jspa` address are
 * the forms both Jira Cloud and Jira Data Center answer (Cloud redirects the board to its new path).
 */
export function jiraLinks(
  baseUrl: string | undefined,
  projectKey: string | undefined,
  boardId: string | undefined,
): JiraLinks {
  const base = baseUrl?.replace(/\/+$/, '');
  const links: JiraLinks = {};
  if (projectKey !== undefined) {
    links.key = projectKey;
    if (base)
      links.keyLink = {
        text: projectKey,
        href: `${base}/browse/${encodeURIComponent(projectKey)}`,
      };
  }
  if (boardId !== undefined) {
    links.board = boardId;
    if (base)
      links.boardLink = {
        text: `board ${boardId}`,
        href: `${base}/secure/RapidBoard.jspa?rapidView=${encodeURIComponent(boardId)}`,
      };
  }
  return links;
}
