// links: how repositories refer to each other once resolved: URLs rendered for the configured
// transport, sibling repositories, SSH keys by owner, and the names derived by convention.
import { parseGitUrl, type GitLocation } from '../settings/values.ts';

export type Transport = 'ssh' | 'https';

/** A git URL as generated configs use it. `file://` URLs are left exactly as written. */
export function renderGitUrl(written: string, transport: Transport): string {
  const location = parseGitUrl(written);
  if (!location) throw new Error(`renderGitUrl: ${written} was not validated`);
  return renderLocation(location, written, transport);
}

function renderLocation(location: GitLocation, written: string, transport: Transport): string {
  if (location.kind === 'file') return written;
  if (transport === 'https') return `https://${location.host}/${location.path}`;
  const user = location.user ?? 'git';
  if (location.port !== undefined)
    return `ssh://${user}@${location.host}:${location.port}/${location.path}`;
  return `${user}@${location.host}:${location.path}`;
}

/**
 * The repository named `id` beside the one at `written`: same host and owner (or same folder for
 * file URLs), keeping the `.git` suffix convention of the neighbour.
 */
export function siblingGitUrl(written: string, id: string): string | undefined {
  const location = parseGitUrl(written);
  if (!location) return undefined;
  const folder = location.path.replace(/\/?[^/]*$/, '');
  const suffix = location.path.endsWith('.git') ? '.git' : '';
  const path = `${folder}/${id}${suffix}`;
  if (location.kind === 'file') return `file://${path}`;
  const prefix = written.slice(0, written.length - location.path.length);
  return `${prefix}${path}`;
}

/** `host/owner/repo` of a remote URL: what `git.sshKeys` entries are matched against. */
export function gitKey(written: string): string | undefined {
  const location = parseGitUrl(written);
  if (!location || location.kind === 'file') return undefined;
  return `${location.host}/${location.path.replace(/\.git$/, '')}`;
}

/** A `git.sshKeys` entry as it is matched: without a `.git` suffix or trailing slashes. */
export function normalizeKeyPrefix(prefix: string): string {
  return prefix.replace(/\.git$/, '').replace(/\/+$/, '');
}

/** Whether a normalized `git.sshKeys` entry opens the repository of `key` (gitKey). */
export function keyOpens(normalized: string, key: string): boolean {
  return key === normalized || key.startsWith(`${normalized}/`);
}

/** The fingerprint of the longest `git.sshKeys` entry that is `host/owner` or `host/owner/repo` of the URL. */
export function sshKeyFor(written: string, sshKeys: Record<string, string>): string | undefined {
  const key = gitKey(written);
  if (key === undefined) return undefined;
  let best: { length: number; fingerprint: string } | undefined;
  for (const [prefix, fingerprint] of Object.entries(sshKeys)) {
    const normalized = normalizeKeyPrefix(prefix);
    if (keyOpens(normalized, key) && (best === undefined || normalized.length > best.length)) {
      best = { length: normalized.length, fingerprint };
    }
  }
  return best?.fingerprint;
}

const OAUTH_HOSTS: Record<string, string> = { 'github.com': 'gh', 'bitbucket.org': 'bb' };

/**
 * The CircleCI project of a repository: `circleci.projects` by `project/repository`, then by
 * `project`; with OAuth, else the slug of its GitHub or Bitbucket URL (`gh/owner/repo`).
 */
export function circleCiProjectSlug(
  circleci: { projects: Record<string, string>; integration: string },
  projectId: string,
  repositoryId: string,
  url: string,
): string | undefined {
  const named = circleci.projects[`${projectId}/${repositoryId}`] ?? circleci.projects[projectId];
  if (named !== undefined || circleci.integration !== 'oauth') return named;
  const key = gitKey(url);
  if (key === undefined) return undefined;
  const [host, ...path] = key.split('/');
  const vcs = OAUTH_HOSTS[host!.toLowerCase()];
  return vcs === undefined || path.length !== 2 ? undefined : `${vcs}/${path.join('/')}`;
}

/** Lower case, with runs of anything but letters and digits turned into one `-`. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The names a build gets when `build.ecs` does not say otherwise. */
export function conventionalEcsNames(
  projectId: string,
  repositoryId: string,
  branch: string,
  carbonRepo: string,
) {
  const service = slug(repositoryId) || 'service';
  return {
    ecrRepository: `${slug(projectId)}/${service}`,
    cluster: `${slug(projectId)}-${slug(branch)}`,
    service,
    container: service,
    dockerfile: `${carbonRepo}/${repositoryId}/Dockerfile`,
    context: '.',
  };
}

/** The CloudFormation stack a build deploys when `provision.cloudformation.stack` does not say. */
export function conventionalStackName(projectId: string, repositoryId: string, branch: string) {
  return `${slug(projectId)}-${slug(repositoryId)}-${slug(branch)}`;
}
