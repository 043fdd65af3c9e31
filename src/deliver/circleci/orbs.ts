// CircleCI's orb registry, through the GraphQL API the CircleCI CLI uses for orbs
// (`<host>/graphql-unstable`, the token in the Authorization header): the queries and mutations of
// `circleci orb info/source`, `orb create` and `orb publish`, with the variables they send, so that
// Carbon reads and publishes exactly as the CLI does (test/helpers/circleci-orbs.ts holds the
// CLI's documents, and the stand-in accepts no other). A GraphQL answer is HTTP 200 even for an
// error: errors come in `errors`, at the top or in a mutation's payload.
import { ApiError, type Http } from './http.ts';

export const GRAPHQL_PATH = '/graphql-unstable';

/** The documents, as the CLI writes them (whitespace aside). */
export const ORB_DOCUMENTS = {
  /** `circleci orb source`: a version and its source. */
  source:
    'query($orbVersionRef: String!) { orbVersion(orbVersionRef: $orbVersionRef) { id version orb { id } source } }',
  /** `circleci orb publish` (and `orb create`) first: the orb and its namespace, by name. */
  ids: 'query ($name: String!, $namespace: String) { orb(name: $name) { id isPrivate } registryNamespace(name: $namespace) { id } }',
  /** `circleci orb publish increment`: the highest version (versions are sorted by semver). */
  latest: 'query($name: String!) { orb(name: $name) { versions(count: 1) { version } } }',
  create:
    'mutation($name: String!, $registryNamespaceId: UUID!, $isPrivate: Boolean!){ createOrb( name: $name, registryNamespaceId: $registryNamespaceId, isPrivate: $isPrivate ){ orb { id } errors { message type } } }',
  publish:
    'mutation($config: String!, $orbName: String, $namespaceName: String, $version: String!) { publishOrb( orbName: $orbName, namespaceName: $namespaceName, orbYaml: $config, version: $version ) { orb { version } errors { message } } }',
} as const;

export interface PublishedVersion {
  version: string;
  source: string;
}

export interface OrbIds {
  /** Absent: the namespace has no orb of this name. */
  orbId?: string;
  /** Absent: CircleCI has no such namespace. */
  namespaceId?: string;
}

export class OrbRegistry {
  private readonly http: Http;

  constructor(http: Http) {
    this.http = http;
  }

  /** `namespace/name@version` as published, or undefined when there is no such version. */
  async version(reference: string): Promise<PublishedVersion | undefined> {
    const data = await this.run('source', { orbVersionRef: reference });
    const found = data['orbVersion'];
    // CircleCI answers null, or an object without an id, for a version it does not have.
    if (!isObject(found) || typeof found['id'] !== 'string' || found['id'] === '') return undefined;
    if (typeof found['source'] !== 'string')
      throw unexpected('source', 'the version has no source');
    return { version: String(found['version']), source: found['source'] };
  }

  async ids(namespace: string, name: string): Promise<OrbIds> {
    const data = await this.run('ids', { name: `${namespace}/${name}`, namespace });
    const orbId = idOf(data['orb']);
    const namespaceId = idOf(data['registryNamespace']);
    return { ...(orbId ? { orbId } : {}), ...(namespaceId ? { namespaceId } : {}) };
  }

  /** The highest version published, if any. */
  async latest(namespace: string, name: string): Promise<string | undefined> {
    const orb = (await this.run('latest', { name: `${namespace}/${name}` }))['orb'];
    const versions = isObject(orb) ? orb['versions'] : undefined;
    const first = Array.isArray(versions) ? (versions[0] as unknown) : undefined;
    return isObject(first) && typeof first['version'] === 'string' ? first['version'] : undefined;
  }

  /** Creates the orb, public, as `circleci orb create` does without --private. */
  async create(name: string, namespaceId: string): Promise<void> {
    const data = await this.run('create', {
      name,
      registryNamespaceId: namespaceId,
      isPrivate: false,
    });
    payloadErrors('create', data['createOrb']);
  }

  async publish(namespace: string, name: string, version: string, source: string): Promise<void> {
    const data = await this.run('publish', {
      config: source,
      orbName: name,
      namespaceName: namespace,
      version,
    });
    payloadErrors('publish', data['publishOrb']);
  }

  private async run(
    document: keyof typeof ORB_DOCUMENTS,
    variables: Record<string, string | boolean>,
  ): Promise<Record<string, unknown>> {
    const answer = await this.http.request('POST', GRAPHQL_PATH, {
      query: ORB_DOCUMENTS[document],
      variables,
    });
    if (!isObject(answer)) throw unexpected(document, 'not a JSON object');
    const errors = messages(answer['errors']);
    if (errors.length > 0) throw new ApiError(errors.join('; '), 'POST', GRAPHQL_PATH);
    if (!isObject(answer['data'])) throw unexpected(document, 'no data');
    return answer['data'];
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function idOf(value: unknown): string | undefined {
  return isObject(value) && typeof value['id'] === 'string' && value['id'] !== ''
    ? value['id']
    : undefined;
}

function messages(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  return errors.map((error) =>
    isObject(error) && typeof error['message'] === 'string' ? error['message'] : 'unknown error',
  );
}

/** A mutation's own `errors` (what CircleCI refused), as the CLI reports them. */
function payloadErrors(document: string, payload: unknown): void {
  if (!isObject(payload)) throw unexpected(document, 'no answer to the mutation');
  const errors = messages(payload['errors']);
  if (errors.length > 0) throw new ApiError(errors.join('; '), 'POST', GRAPHQL_PATH);
}

function unexpected(document: string, what: string): ApiError {
  return new ApiError(
    `unexpected answer from CircleCI's orb registry (${document}): ${what}`,
    'POST',
    GRAPHQL_PATH,
  );
}
