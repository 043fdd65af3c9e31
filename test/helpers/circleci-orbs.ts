// The orb registry of the CircleCI stand-in: CircleCI's API v3 as the current CircleCI CLI calls it
// for orbs (CircleCI-Public/circleci-cli at 5bb7183, 2026-08-20). It accepts exactly the CLI's
// requests that Carbon makes, transcribed in CLI_REQUESTS from internal/apiclient/orb.go and
// namespace.go, and nothing else: the method and path; the query, `filter[KEY]` and `page[cursor]`
// parameters, each one the function sends and no other, encoded as Go's url.Values.Encode does
// (keys sorted, QueryEscape); the headers of internal/httpcl (`Authorization: Bearer TOKEN`,
// `Accept: application/json`, `Content-Type: application/json; charset=utf-8` with a body and none
// without); and bodies with exactly the fields of the CLI's Go wire types, in their order (Go
// marshals every field, none is omitted). It answers with the shapes those wire types read and the
// CLI's own fake (internal/testing/fakes/circleci.go) serves: an entity in `data`, a list in
// `data` with a `page` cursor, a version's source as the text itself, errors in API v3's envelope
// `{"error": {"title", "detail"}}`, a missing namespace as 404. A published version never changes:
// publishing it again is refused.
import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import { Refusal } from './circleci-store.ts';

type Shape = 'string' | 'boolean' | { [field: string]: Shape };

interface CliRequest {
  method: 'GET' | 'POST';
  /** The route; a `([^/]+)` group is the CLI's route parameter, a UUID. */
  path: RegExp;
  /** Every query parameter the CLI's function may send: true when it always does. */
  query: Record<string, boolean>;
  /** The Go wire type of the body, its fields in declaration order. */
  body?: Shape;
}

/** The CLI's requests, named after the functions of internal/apiclient that make them. */
export const CLI_REQUESTS = {
  GetNamespace: { method: 'GET', path: /^\/api\/v3\/namespaces$/, query: { 'filter[name]': true } },
  GetOrbPackageByName: {
    method: 'GET',
    path: /^\/api\/v3\/orb\/packages$/,
    query: { 'filter[name]': true },
  },
  GetOrbVersionByRef: {
    method: 'GET',
    path: /^\/api\/v3\/orb\/versions$/,
    query: { 'filter[ref]': true },
  },
  ListOrbVersions: {
    method: 'GET',
    path: /^\/api\/v3\/orb\/versions$/,
    query: { 'filter[orb_id]': true, 'filter[channel]': false, 'page[cursor]': false },
  },
  GetOrbSource: { method: 'GET', path: /^\/api\/v3\/orb\/versions\/([^/]+)\/source$/, query: {} },
  /** v3Entity[createOrbPackageWire] */
  CreateOrbPackage: {
    method: 'POST',
    path: /^\/api\/v3\/orb\/packages$/,
    query: {},
    body: {
      data: {
        attributes: { name: 'string', is_private: 'boolean' },
        references: { namespace: { id: 'string' } },
      },
    },
  },
  /** v3Entity[publishOrbVersionWire]: its attributes are PublishOrbVersionRequest. */
  PublishOrbVersion: {
    method: 'POST',
    path: /^\/api\/v3\/orb\/versions$/,
    query: {},
    body: { data: { attributes: { orb_id: 'string', yaml: 'string', version: 'string' } } },
  },
} satisfies Record<string, CliRequest>;

export type CliRequestName = keyof typeof CLI_REQUESTS;

export interface OrbAnswer {
  status: number;
  /** JSON, or the text itself (a version's source). */
  body: unknown;
  text?: string;
}

/** The bodies, once their shape is checked. */
interface CreateData {
  attributes: { name: string; is_private: boolean };
  references: { namespace: { id: string } };
}
interface PublishAttributes {
  orb_id: string;
  yaml: string;
  version: string;
}

interface Version {
  id: string;
  version: string;
  source: string;
  createdAt: string;
}

interface Orb {
  id: string;
  namespace: string;
  name: string;
  isPrivate: boolean;
  createdAt: string;
  /** Newest first, as the API lists them. */
  versions: Version[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const DEV = /^dev:[\w.-]+$/;

/** Go's url.QueryEscape: all but letters, digits and `-_.~` escaped, byte by byte; space as `+`. */
export function goQueryEscape(text: string): string {
  let escaped = '';
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(char)) escaped += char;
    else if (char === ' ') escaped += '+';
    else escaped += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return escaped;
}

/** The parameters of a query the CLI could have written, or why it could not have. */
function cliQuery(raw: string): Map<string, string> {
  const parameters = new Map<string, string>();
  if (raw === '') return parameters;
  for (const pair of raw.split('&')) {
    const [key, value, extra] = pair.split('=');
    if (key === undefined || value === undefined || extra !== undefined)
      throw new Refusal(400, `query parameter ${pair} is not KEY=VALUE`);
    const decode = (text: string) => {
      try {
        return decodeURIComponent(text.replace(/\+/g, ' '));
      } catch {
        throw new Refusal(400, `query parameter ${pair} is not percent-encoded`);
      }
    };
    const [name, decoded] = [decode(key), decode(value)];
    if (`${goQueryEscape(name)}=${goQueryEscape(decoded)}` !== pair)
      throw new Refusal(
        400,
        `query parameter ${pair} is not encoded as Go's url.Values does: ${goQueryEscape(name)}=${goQueryEscape(decoded)}`,
      );
    if (parameters.has(name)) throw new Refusal(400, `query parameter ${name} given twice`);
    const last = [...parameters.keys()].at(-1);
    if (last !== undefined && last > name)
      throw new Refusal(400, `query parameters not in Go's order (sorted by key): ${raw}`);
    if (decoded === '') throw new Refusal(400, `query parameter ${name} is empty`);
    parameters.set(name, decoded);
  }
  return parameters;
}

/** Why a body is not what a Go wire type marshals to: fields, their order, their types. */
function shapeProblem(value: unknown, shape: Shape, at: string): string | undefined {
  if (shape === 'string' || shape === 'boolean')
    return typeof value === shape ? undefined : `${at} is not a ${shape}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `${at} is not an object`;
  const [given, wanted] = [Object.keys(value), Object.keys(shape)];
  if (given.join() !== wanted.join())
    return `${at} has the fields ${given.join(', ') || '(none)'}, not ${wanted.join(', ')}`;
  for (const field of wanted) {
    const problem = shapeProblem(
      (value as Record<string, unknown>)[field],
      shape[field]!,
      `${at}.${field}`,
    );
    if (problem) return problem;
  }
  return undefined;
}

/** API v3's error envelope, as internal/apiclient/error.go reads it. */
function failure(status: number, title: string, detail: string): OrbAnswer {
  return { status, body: { error: { title, detail } } };
}

const list = (data: unknown[], next: string | null = null) => ({
  data,
  page: { next, prev: null },
});

export class OrbRegistryStore {
  /** Namespace names and their ids. */
  readonly namespaces = new Map<string, string>();
  /** Orbs by `namespace/name`. */
  readonly orbs = new Map<string, Orb>();
  /** Set: publishing is refused with this message (as CircleCI refuses an invalid orb). */
  publishRefusal: string | undefined;
  /** Items in a page of ListOrbVersions. */
  pageSize = 20;
  /** The requests accepted, in order. */
  readonly received: { request: CliRequestName; query: Record<string, string>; body?: unknown }[] =
    [];
  private readonly token: string;

  constructor(token: string) {
    this.token = token;
  }

  addNamespace(name: string): string {
    const id = randomUUID();
    this.namespaces.set(name, id);
    return id;
  }

  /** As if someone had published the version before (with the CLI, or another workspace). */
  published(namespace: string, name: string, version: string, source: string): void {
    const namespaceId = this.namespaces.get(namespace) ?? this.addNamespace(namespace);
    const orb = this.orbs.get(`${namespace}/${name}`) ?? this.makeOrb(namespaceId, name, false);
    orb.versions.unshift({
      id: randomUUID(),
      version,
      source,
      createdAt: new Date().toISOString(),
    });
  }

  /**
   * Answers a request below /api/v3, or throws a Refusal of one the CLI would not make (its
   * 401 as the CLI's fake answers a missing or wrong token).
   */
  answer(
    method: string,
    url: string,
    headers: Record<string, string | string[] | undefined>,
    raw: string,
  ): OrbAnswer {
    if (headers['authorization'] !== `Bearer ${this.token}`) throw new Refusal(401, 'Unauthorized');
    if (headers['circle-token'] !== undefined)
      throw new Refusal(400, 'the CLI sends no Circle-Token header to API v3');
    if (headers['accept'] !== 'application/json')
      throw new Refusal(400, `Accept is ${headers['accept']}, not application/json`);
    const [path, rawQuery = ''] = url.split('?', 2) as [string, string?];
    const name = (Object.keys(CLI_REQUESTS) as CliRequestName[]).find((candidate) => {
      const request: CliRequest = CLI_REQUESTS[candidate];
      return request.method === method && request.path.test(path) && this.fits(request, rawQuery);
    });
    if (name === undefined)
      throw new Refusal(
        404,
        `${method} ${url} is none of the CircleCI CLI's orb requests (${Object.keys(CLI_REQUESTS).join(', ')})`,
      );
    const request: CliRequest = CLI_REQUESTS[name];
    const query = Object.fromEntries(cliQuery(rawQuery));
    for (const [parameter, required] of Object.entries(request.query))
      if (required && query[parameter] === undefined)
        throw new Refusal(400, `Missing Required Filter: ${parameter}`);
    const body = this.body(request, headers, raw);
    const id = request.path.exec(path)?.[1];
    if (id !== undefined && !UUID.test(id)) throw new Refusal(400, `${id} is not a UUID`);
    this.received.push({ request: name, query, ...(body === undefined ? {} : { body }) });
    return this.serve(name, query, body, id);
  }

  /** Whether the query's parameters are all the request's (how the two GETs of /versions differ). */
  private fits(request: CliRequest, rawQuery: string): boolean {
    const names = rawQuery === '' ? [] : rawQuery.split('&').map((pair) => pair.split('=')[0]!);
    return names.every((key) => {
      try {
        return decodeURIComponent(key) in request.query;
      } catch {
        return false;
      }
    });
  }

  private body(
    request: CliRequest,
    headers: Record<string, string | string[] | undefined>,
    raw: string,
  ): unknown {
    const type = headers['content-type'];
    if (request.body === undefined) {
      if (raw !== '' || type !== undefined)
        throw new Refusal(400, 'the CLI sends this request without a body');
      return undefined;
    }
    if (type !== 'application/json; charset=utf-8')
      throw new Refusal(400, `Content-Type is ${type}, not application/json; charset=utf-8`);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new Refusal(400, 'the body is not JSON');
    }
    const problem = shapeProblem(body, request.body, 'body');
    if (problem) throw new Refusal(400, problem);
    return body;
  }

  private serve(
    name: CliRequestName,
    query: Record<string, string>,
    body: unknown,
    id: string | undefined,
  ): OrbAnswer {
    switch (name) {
      case 'GetNamespace':
        return this.getNamespace(query['filter[name]']!);
      case 'GetOrbPackageByName': {
        const orb = this.orbs.get(query['filter[name]']!);
        return { status: 200, body: list(orb ? [this.packageEntity(orb, true)] : []) };
      }
      case 'GetOrbVersionByRef':
        return this.versionByRef(query['filter[ref]']!);
      case 'ListOrbVersions':
        return this.listVersions(query);
      case 'GetOrbSource':
        return this.source(id!);
      case 'CreateOrbPackage':
        return this.create((body as { data: CreateData }).data);
      case 'PublishOrbVersion':
        return this.publish((body as { data: { attributes: PublishAttributes } }).data.attributes);
    }
  }

  private getNamespace(name: string): OrbAnswer {
    const id = this.namespaces.get(name);
    if (id === undefined) return failure(404, 'Not Found', 'namespace not found');
    return { status: 200, body: { data: { id, attributes: { name } } } };
  }

  private versionByRef(ref: string): OrbAnswer {
    const match = /^([^/@]+\/[^/@]+)@(.+)$/.exec(ref);
    if (!match) return failure(400, 'Bad Request', `${ref} is not namespace/orb@version`);
    const orb = this.orbs.get(match[1]!);
    // `volatile`: the newest version, as the CLI's fake resolves it.
    const version =
      match[2] === 'volatile'
        ? orb?.versions[0]
        : orb?.versions.find((candidate) => candidate.version === match[2]);
    return { status: 200, body: list(version ? [this.versionEntity(orb!, version, true)] : []) };
  }

  private listVersions(query: Record<string, string>): OrbAnswer {
    const channel = query['filter[channel]'];
    if (channel !== undefined && channel !== 'stable' && channel !== 'dev')
      return failure(400, 'Bad Request', `filter[channel] is stable or dev, not ${channel}`);
    const orb = [...this.orbs.values()].find(
      (candidate) => candidate.id === query['filter[orb_id]'],
    );
    const versions = (orb?.versions ?? []).filter(
      (version) =>
        channel === undefined || version.version.startsWith('dev:') === (channel === 'dev'),
    );
    const start = query['page[cursor]'] === undefined ? 0 : Number(query['page[cursor]']);
    const page = versions.slice(start, start + this.pageSize);
    const next = start + this.pageSize < versions.length ? String(start + this.pageSize) : null;
    return {
      status: 200,
      body: list(
        page.map((version) => this.versionEntity(orb!, version, true)),
        next,
      ),
    };
  }

  private source(id: string): OrbAnswer {
    for (const orb of this.orbs.values()) {
      const version = orb.versions.find((candidate) => candidate.id === id);
      if (version) return { status: 200, body: undefined, text: version.source };
    }
    return failure(404, 'Not Found', 'orb version not found');
  }

  private create(data: CreateData): OrbAnswer {
    const { name, is_private: isPrivate } = data.attributes;
    const namespace = [...this.namespaces].find(([, id]) => id === data.references.namespace.id);
    if (namespace === undefined) return failure(404, 'Not Found', 'namespace not found');
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
      return failure(400, 'Bad Request', `${name} is not an orb name`);
    if (this.orbs.has(`${namespace[0]}/${name}`))
      return failure(409, 'Conflict', `orb ${namespace[0]}/${name} already exists`);
    const orb = this.makeOrb(namespace[1], name, isPrivate);
    return { status: 201, body: { data: this.packageEntity(orb, false) } };
  }

  private publish({ orb_id, yaml, version }: PublishAttributes): OrbAnswer {
    const orb = [...this.orbs.values()].find((candidate) => candidate.id === orb_id);
    if (!orb) return failure(404, 'Not Found', 'orb not found');
    if (this.publishRefusal !== undefined) return failure(400, 'Bad Request', this.publishRefusal);
    if (!SEMVER.test(version) && !DEV.test(version))
      return failure(400, 'Bad Request', `${version} is not a semantic version or dev:LABEL`);
    if (SEMVER.test(version) && orb.versions.some((known) => known.version === version))
      return failure(
        409,
        'Conflict',
        `version ${version} of orb ${orb.namespace}/${orb.name} already exists`,
      );
    try {
      const parsed = parse(yaml) as unknown;
      if (parsed === null || typeof parsed !== 'object')
        return failure(400, 'Bad Request', 'the orb YAML is not a map');
    } catch (caught) {
      return failure(
        400,
        'Bad Request',
        `the orb YAML does not parse: ${(caught as Error).message}`,
      );
    }
    const published = {
      id: randomUUID(),
      version,
      source: yaml,
      createdAt: new Date().toISOString(),
    };
    orb.versions = [published, ...orb.versions.filter((known) => known.version !== version)];
    return { status: 201, body: { data: this.versionEntity(orb, published, false) } };
  }

  private makeOrb(namespaceId: string, name: string, isPrivate: boolean): Orb {
    const namespace = [...this.namespaces].find(([, id]) => id === namespaceId)![0];
    const orb: Orb = {
      id: randomUUID(),
      namespace,
      name,
      isPrivate,
      createdAt: new Date().toISOString(),
      versions: [],
    };
    this.orbs.set(`${namespace}/${name}`, orb);
    return orb;
  }

  /**
   * orbPackageWire, create's answer; in a list orbPackageListWire, which the CLI's comment says
   * has the namespace by id only and no usage counts.
   */
  private packageEntity(orb: Orb, inList: boolean) {
    const latest = orb.versions[0];
    const namespace = { id: this.namespaces.get(orb.namespace) };
    return {
      id: orb.id,
      attributes: {
        name: `${orb.namespace}/${orb.name}`,
        is_private: orb.isPrivate,
        is_listed: true,
        ...(inList
          ? {}
          : {
              created_at: orb.createdAt,
              last_30_days_build_count: 0,
              last_30_days_project_count: 0,
              last_30_days_org_count: 0,
            }),
      },
      references: {
        namespace: inList ? namespace : { ...namespace, attributes: { name: orb.namespace } },
        ...(latest ? { orb_versions: [this.versionReference(latest)] } : {}),
      },
    };
  }

  private versionReference(version: Version) {
    return {
      id: version.id,
      attributes: { version: version.version, created_at: version.createdAt },
    };
  }

  /** orbVersionWire; lists also carry the source, as the CLI's fake serves them. */
  private versionEntity(orb: Orb, version: Version, withSource: boolean) {
    return {
      id: version.id,
      attributes: {
        version: version.version,
        created_at: version.createdAt,
        ...(withSource ? { source: version.source } : {}),
      },
      references: {
        orb_package: { id: orb.id, attributes: { name: `${orb.namespace}/${orb.name}` } },
      },
    };
  }
}
