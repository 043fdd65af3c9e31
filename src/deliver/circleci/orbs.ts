// CircleCI's orb registry, through API v3 with exactly the requests the CircleCI CLI makes
// (CircleCI-Public/circleci-cli, internal/apiclient/orb.go and namespace.go): `circleci orb create`
// looks the namespace up and creates the orb package, `circleci orb source` finds a version by its
// reference and reads its source, `circleci orb publish` finds the package by name and publishes a
// version, and `circleci orb publish increment` lists the stable versions. The bodies and answers
// have the shapes of the CLI's Go wire types: every entity in a `data` envelope, lists with a
// `page` cursor, filters as `filter[KEY]` query parameters encoded as Go's url.Values does;
// test/helpers/circleci-orbs.ts is a stand-in that accepts these requests and no other.
import { ApiError, isNotFound, type Http } from './http.ts';

/** A version as `GET /api/v3/orb/versions` answers it (orbVersionWire). */
export interface OrbVersionRead {
  id: string;
  version: string;
  /** The orb package it belongs to. */
  orbId: string;
}

export class OrbRegistry {
  private readonly http: Http;

  constructor(http: Http) {
    this.http = http;
  }

  /** GetNamespace: the namespace's id, or undefined when CircleCI has none of that name (404). */
  async namespace(name: string): Promise<string | undefined> {
    const path = `/api/v3/namespaces${query({ 'filter[name]': name })}`;
    try {
      return idOf(entity(await this.http.request('GET', path), 'GET', path), 'GET', path);
    } catch (caught) {
      if (isNotFound(caught)) return undefined;
      throw caught;
    }
  }

  /** GetOrbPackageByName (`namespace/name`): the orb's id, or undefined when there is none. */
  async orb(fullName: string): Promise<string | undefined> {
    return (await this.findOrb(fullName)).id;
  }

  private async findOrb(fullName: string): Promise<{ id: string | undefined; path: string }> {
    const path = `/api/v3/orb/packages${query({ 'filter[name]': fullName })}`;
    const [found] = list(await this.http.request('GET', path), 'GET', path);
    return { id: found === undefined ? undefined : idOf(found, 'GET', path), path };
  }

  /** GetOrbVersionByRef (`namespace/name@version`), or undefined when there is no such version. */
  async version(reference: string): Promise<OrbVersionRead | undefined> {
    const path = `/api/v3/orb/versions${query({ 'filter[ref]': reference })}`;
    const [found] = list(await this.http.request('GET', path), 'GET', path);
    return found === undefined ? undefined : versionOf(found, 'GET', path);
  }

  /** GetOrbSource: the YAML of a version, as published (the answer is the text itself). */
  async source(versionId: string): Promise<string> {
    return this.http.text('GET', `/api/v3/orb/versions/${encodeURIComponent(versionId)}/source`);
  }

  /** ListOrbVersions on the stable channel, every page: the versions a reference can pin. */
  async stableVersions(orbId: string): Promise<string[]> {
    const versions: string[] = [];
    let cursor = '';
    for (;;) {
      const path = `/api/v3/orb/versions${query({
        'filter[orb_id]': orbId,
        'filter[channel]': 'stable',
        'page[cursor]': cursor,
      })}`;
      const answer = await this.http.request('GET', path);
      for (const item of list(answer, 'GET', path))
        versions.push(versionOf(item, 'GET', path).version);
      const next = isObject(answer) && isObject(answer['page']) ? answer['page']['next'] : null;
      if (typeof next !== 'string' || next === '') return versions;
      cursor = next;
    }
  }

  /** CreateOrbPackage, public as `circleci orb create` makes it without --private. */
  async create(namespaceId: string, name: string): Promise<void> {
    const path = '/api/v3/orb/packages';
    const answer = await this.http.request('POST', path, {
      data: {
        attributes: { name, is_private: false },
        references: { namespace: { id: namespaceId } },
      },
    });
    idOf(entity(answer, 'POST', path), 'POST', path);
  }

  /**
   * `circleci orb publish`: the orb by name (GetOrbPackageByName), then PublishOrbVersion in it;
   * `version` is then what `namespace/name@version` resolves to.
   */
  async publish(fullName: string, version: string, yaml: string): Promise<void> {
    const orb = await this.findOrb(fullName);
    if (orb.id === undefined)
      throw new ApiError(`CircleCI's orb registry has no orb ${fullName}`, 'GET', orb.path);
    const path = '/api/v3/orb/versions';
    const answer = await this.http.request('POST', path, {
      data: { attributes: { orb_id: orb.id, yaml, version } },
    });
    versionOf(entity(answer, 'POST', path), 'POST', path);
  }
}

/**
 * The query string as Go's url.Values.Encode writes it, which the CLI's client uses: keys sorted,
 * every byte but letters, digits and `-_.~` escaped, a space as `+`; empty values left out, as
 * the CLI's optional filters are.
 */
export function query(parameters: Record<string, string>): string {
  const escape = (text: string) =>
    encodeURIComponent(text)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, '+');
  const pairs = Object.entries(parameters)
    .filter(([, value]) => value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${escape(key)}=${escape(value)}`);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{"data": {...}}`, the envelope of one entity. */
function entity(answer: unknown, method: 'GET' | 'POST', path: string): Record<string, unknown> {
  if (!isObject(answer) || !isObject(answer['data']))
    throw unexpected(method, path, 'no entity in `data`');
  return answer['data'];
}

/** `{"data": [...], "page": {...}}`, the envelope of a list. */
function list(answer: unknown, method: 'GET', path: string): Record<string, unknown>[] {
  const data = isObject(answer) ? answer['data'] : undefined;
  if (!Array.isArray(data) || !data.every(isObject))
    throw unexpected(method, path, 'no list in `data`');
  return data;
}

function idOf(item: Record<string, unknown>, method: 'GET' | 'POST', path: string): string {
  if (typeof item['id'] !== 'string' || item['id'] === '') throw unexpected(method, path, 'no id');
  return item['id'];
}

function versionOf(
  item: Record<string, unknown>,
  method: 'GET' | 'POST',
  path: string,
): OrbVersionRead {
  const attributes = item['attributes'];
  const references = item['references'];
  const orb = isObject(references) ? references['orb_package'] : undefined;
  if (!isObject(attributes) || typeof attributes['version'] !== 'string' || !isObject(orb))
    throw unexpected(method, path, 'a version without its number or its orb');
  return {
    id: idOf(item, method, path),
    version: attributes['version'],
    orbId: idOf(orb, method, path),
  };
}

function unexpected(method: 'GET' | 'POST', path: string, what: string): ApiError {
  return new ApiError(`unexpected answer from CircleCI's orb registry: ${what}`, method, path);
}
