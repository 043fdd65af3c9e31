// The repositories of a new project, from the git URLs given to `carbon new`: each gets an id made
// from its name (what settings ids allow), one is the carbon repository (`--carbon URL`, else the
// one whose name ends in "carbon"), and `--origin REPOSITORY=URL` pairs a repository with the
// client's. Every mistake is a UserError that names the argument and what to write instead.
import { UserError } from '../errors.ts';
import { gitKey } from '../resolve/links.ts';
import { ID_MAX_LENGTH, checkGitUrl, checkId, parseGitUrl } from '../settings/values.ts';
import { didYouMean } from '../suggest.ts';

export interface PlannedRepository {
  id: string;
  name: string;
  /** The agency's repository, as given. */
  local: string;
  /** The client's repository, from --origin. */
  origin?: string;
  /** False for a repository that only syncs (--no-build): no build is written for it. */
  build?: false;
}

export interface RepositoryPlan {
  /** Built repositories first, the carbon repository last, each in the order given. */
  repositories: PlannedRepository[];
  /** Id of the carbon repository, when one is known. */
  carbon?: string;
}

export interface RepositoryRequest {
  urls: string[];
  /** --carbon URL */
  carbon?: string;
  /** --origin REPOSITORY=URL, as given. */
  origins: string[];
  /** --no-build REPOSITORY (id or git URL), as given. */
  noBuild?: string[];
}

export function planRepositories(request: RepositoryRequest): RepositoryPlan {
  const urls = [...request.urls];
  for (const url of urls) checkUrl(url, '');
  if (request.carbon !== undefined) {
    checkUrl(request.carbon, '--carbon: ');
    if (!urls.some((url) => sameRepository(url, request.carbon!))) urls.push(request.carbon);
  }
  urls.forEach((url, index) => {
    const earlier = urls.findIndex((other) => sameRepository(other, url));
    if (earlier !== index)
      throw new UserError(
        `${url} is given twice${urls[earlier] === url ? '' : ` (as ${urls[earlier]})`}: give each repository once`,
      );
  });
  const ids = repositoryIds(urls);
  const repositories: PlannedRepository[] = urls.map((url, index) => ({
    id: ids[index]!,
    name: words(ids[index]!),
    local: url,
  }));
  const carbon = chooseCarbon(repositories, request.carbon);
  pairOrigins(repositories, request.origins);
  for (const name of request.noBuild ?? []) {
    const repository = byName(repositories, name, `--no-build ${name}`);
    if (repository.id === carbon)
      throw new UserError(
        `--no-build ${name}: ${repository.id} is the carbon repository, which is never built: give --no-build the repositories that only sync`,
      );
    repository.build = false;
  }
  return {
    repositories: [
      ...repositories.filter((repository) => repository.id !== carbon),
      ...repositories.filter((repository) => repository.id === carbon),
    ],
    ...(carbon === undefined ? {} : { carbon }),
  };
}

function checkUrl(url: string, prefix: string): void {
  const problem = checkGitUrl(url);
  if (problem !== undefined) throw new UserError(`${prefix}${problem}`);
}

/** Whether two written URLs name one repository (`git@github.com:a/b.git` and `github.com/a/b.git`). */
function sameRepository(a: string, b: string): boolean {
  return identity(a) === identity(b);
}

function identity(url: string): string {
  const key = gitKey(url);
  if (key !== undefined) return key.toLowerCase();
  return (parseGitUrl(url)?.path ?? url).replace(/\.git$/, '');
}

/**
 * An id per URL: the repository's name, made a valid id. Names that clash (ignoring case, as
 * repository ids are compared) get their owner in front: `acme-api` and `partner-api`.
 */
function repositoryIds(urls: string[]): string[] {
  const parts = urls.map((url) =>
    parseGitUrl(url)!
      .path.replace(/\.git$/, '')
      .split('/'),
  );
  const names = parts.map((path) => asId(path.at(-1)!));
  const clashes = (candidate: string[], index: number) =>
    candidate.some(
      (other, at) => at !== index && other.toLowerCase() === candidate[index]!.toLowerCase(),
    );
  const ids = names.map((name, index) =>
    clashes(names, index) ? asId(`${parts[index]!.at(-2) ?? 'repository'}-${name}`) : name,
  );
  ids.forEach((id, index) => {
    const other = ids.findIndex(
      (candidate, at) => at > index && candidate.toLowerCase() === id.toLowerCase(),
    );
    if (other >= 0)
      throw new UserError(
        `${urls[index]} and ${urls[other]} would both be the repository ${JSON.stringify(id)}: ` +
          "write the project's repositories by hand, with ids of your choosing",
      );
  });
  return ids;
}

/** A repository name as a settings id: letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
function asId(name: string): string {
  const id = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, ID_MAX_LENGTH);
  const result = id === '' ? 'repository' : id;
  const problem = checkId(result);
  if (problem !== undefined) throw new Error(`scaffold: the id made from ${name}: ${problem}`);
  return result;
}

/** `Acme-API` → `Acme API`, `acme_web` → `Acme web`: a first name for people to improve. */
export function words(id: string): string {
  const text = id.replace(/[-_.]+/g, ' ').trim();
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function chooseCarbon(
  repositories: PlannedRepository[],
  carbonUrl: string | undefined,
): string | undefined {
  if (carbonUrl !== undefined)
    return repositories.find((repository) => sameRepository(repository.local, carbonUrl))!.id;
  const named = repositories.filter((repository) => /carbon$/i.test(repository.id));
  if (named.length > 1)
    throw new UserError(
      `${named.map((repository) => repository.id).join(' and ')} could each be the carbon repository ` +
        '(their names end in "carbon"): say which with --carbon URL',
    );
  return named[0]?.id;
}

/** The repository an argument names, by id (in any case) or by its git URL. */
function byName(repositories: PlannedRepository[], name: string, argument: string) {
  const ids = repositories.map((repository) => repository.id);
  const repository = repositories.find(
    (candidate) =>
      candidate.id.toLowerCase() === name.toLowerCase() ||
      (parseGitUrl(name) !== undefined && sameRepository(candidate.local, name)),
  );
  if (!repository)
    throw new UserError(
      `${argument}: ${JSON.stringify(name)} is none of the repositories given${didYouMean(name, ids)}; ` +
        `they are ${ids.map((id) => JSON.stringify(id)).join(', ')}`,
    );
  return repository;
}

/** `--origin Acme-API=github.com/acme/api.git`: the repository by id (or by its URL), then the client's URL. */
function pairOrigins(repositories: PlannedRepository[], origins: string[]): void {
  const ids = repositories.map((repository) => repository.id);
  if (origins.length > 0 && repositories.length === 0)
    throw new UserError(
      "--origin pairs a repository given to `carbon new` with the client's: give the git URLs too",
    );
  for (const pair of origins) {
    const equals = pair.indexOf('=');
    if (equals <= 0 || equals === pair.length - 1)
      throw new UserError(
        `--origin ${pair}: write --origin REPOSITORY=URL, the repository's id (or its git URL) and the client's git URL, as --origin ${ids[0] ?? 'Acme-API'}=github.com/client/api.git`,
      );
    const name = pair.slice(0, equals);
    const url = pair.slice(equals + 1);
    const repository = byName(repositories, name, `--origin ${pair}`);
    if (repository.origin !== undefined)
      throw new UserError(`--origin: ${repository.id} is given two origins: give it one`);
    checkUrl(url, `--origin ${pair}: `);
    repository.origin = url;
  }
}
