// The orb registry of the CircleCI stand-in: CircleCI's GraphQL API at /graphql-unstable, as the
// CircleCI CLI speaks to it. It accepts only the CLI's own documents (transcribed below from
// CircleCI-Public/circleci-cli, api/api.go at 49672ea9: OrbSource, OrbID/OrbExists,
// OrbLatestVersion, createOrbWithNsID, OrbPublishByName; compared without their whitespace) with
// exactly the variables each declares, of the declared types, the token in the Authorization
// header as the CLI's graphql client sets it. It answers as the CLI's tests show CircleCI does:
// HTTP 200 with `data`, a version it does not have as null, a mutation's refusal in its payload's
// `errors`. A published version never changes: publishing it again is refused.
import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';

export const CLI_DOCUMENTS = {
  source: `query($orbVersionRef: String!) {
			    orbVersion(orbVersionRef: $orbVersionRef) {
			        id
                                version
                                orb { id }
                                source
			    }
		      }`,
  ids: `
	query ($name: String!, $namespace: String) {
		orb(name: $name) {
		  id
		  isPrivate
		}
		registryNamespace(name: $namespace) {
			id
		  }
	  }
	  `,
  latest: `query($name: String!) {
			    orb(name: $name) {
			      versions(count: 1) {
				    version
			      }
			    }
		      }`,
  create: `mutation($name: String!, $registryNamespaceId: UUID!, $isPrivate: Boolean!){
				createOrb(
					name: $name,
					registryNamespaceId: $registryNamespaceId,
					isPrivate: $isPrivate
				){
				    orb {
				      id
				    }
				    errors {
				      message
				      type
				    }
				}
}`,
  publish: `
		mutation($config: String!, $orbName: String, $namespaceName: String, $version: String!) {
			publishOrb(
				orbName: $orbName,
				namespaceName: $namespaceName,
				orbYaml: $config,
				version: $version
			) {
				orb {
					version
				}
				errors { message }
			}
		}
	`,
};

type Document = keyof typeof CLI_DOCUMENTS;

/** A document without the whitespace that GraphQL ignores. */
export function normalized(document: string): string {
  return document
    .replace(/\s+/g, ' ')
    .replace(/ ?([(){}:,!$]) ?/g, '$1')
    .trim();
}

const KNOWN = new Map(
  (Object.entries(CLI_DOCUMENTS) as [Document, string][]).map(([name, text]) => [
    normalized(text),
    name,
  ]),
);

/** The variables a document declares, with their GraphQL types. */
function declared(document: string): Map<string, string> {
  const head = /^(?:query|mutation)\(([^)]*)\)/.exec(normalized(document));
  const variables = new Map<string, string>();
  for (const part of (head?.[1] ?? '').split(','))
    if (part !== '') variables.set(part.split(':')[0]!.replace('$', ''), part.split(':')[1]!);
  return variables;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

function typeProblem(type: string, value: unknown): string | undefined {
  const required = type.endsWith('!');
  const base = type.replace('!', '');
  if (value === null || value === undefined) return required ? 'is required' : undefined;
  if (base === 'String') return typeof value === 'string' ? undefined : 'is not a String';
  if (base === 'Boolean') return typeof value === 'boolean' ? undefined : 'is not a Boolean';
  if (base === 'UUID')
    return typeof value === 'string' && UUID.test(value) ? undefined : 'is not a UUID';
  return `has the unknown type ${type}`;
}

interface Orb {
  id: string;
  isPrivate: boolean;
  versions: Map<string, { id: string; source: string }>;
}

export class BadRequest extends Error {}

export class OrbRegistryStore {
  readonly namespaces = new Map<string, string>();
  readonly orbs = new Map<string, Orb>();
  /** Set: publishing is refused with this message (as CircleCI refuses an invalid orb). */
  publishRefusal: string | undefined;
  /** The documents received, by name, in order. */
  readonly received: { document: Document; variables: Record<string, unknown> }[] = [];

  addNamespace(name: string): string {
    const id = randomUUID();
    this.namespaces.set(name, id);
    return id;
  }

  /** As if someone had published the version before (with the CLI, or another workspace). */
  published(namespace: string, name: string, version: string, source: string): void {
    const orb = this.orbs.get(`${namespace}/${name}`) ?? {
      id: randomUUID(),
      isPrivate: false,
      versions: new Map(),
    };
    this.orbs.set(`${namespace}/${name}`, orb);
    orb.versions.set(version, { id: randomUUID(), source });
  }

  /** Answers a GraphQL request body (the CLI's documents only), or throws BadRequest. */
  answer(body: unknown): unknown {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new BadRequest('the body is not a JSON object');
    const { query, variables, ...rest } = body as Record<string, unknown>;
    if (Object.keys(rest).length > 0)
      throw new BadRequest(`unknown fields in the body: ${Object.keys(rest).join(', ')}`);
    if (typeof query !== 'string') throw new BadRequest('no query');
    const document = KNOWN.get(normalized(query));
    if (document === undefined)
      throw new BadRequest(`not a document the CircleCI CLI sends: ${query}`);
    const given = (variables ?? {}) as Record<string, unknown>;
    const types = declared(CLI_DOCUMENTS[document]);
    for (const name of Object.keys(given))
      if (!types.has(name)) throw new BadRequest(`variable $${name} is not declared`);
    for (const [name, type] of types) {
      const problem = typeProblem(type, given[name]);
      if (problem) throw new BadRequest(`variable $${name} ${problem}`);
    }
    this.received.push({ document, variables: given });
    return { data: this[document](given as Record<string, string & boolean>) };
  }

  private source({ orbVersionRef }: Record<string, string>) {
    const [name, version] = orbVersionRef!.split('@') as [string, string];
    const orb = this.orbs.get(name);
    const found = orb?.versions.get(version);
    return {
      orbVersion: found
        ? { id: found.id, version, orb: { id: orb!.id }, source: found.source }
        : null,
    };
  }

  private ids({ name, namespace }: Record<string, string>) {
    const orb = this.orbs.get(name!);
    const namespaceId = this.namespaces.get(namespace!);
    return {
      orb: orb ? { id: orb.id, isPrivate: orb.isPrivate } : null,
      registryNamespace: namespaceId ? { id: namespaceId } : null,
    };
  }

  private latest({ name }: Record<string, string>) {
    const orb = this.orbs.get(name!);
    if (!orb) return { orb: null };
    const [highest] = [...orb.versions.keys()].sort(bySemverDescending);
    return { orb: { versions: highest ? [{ version: highest }] : [] } };
  }

  private create({ name, registryNamespaceId, isPrivate }: Record<string, string & boolean>) {
    const namespace = [...this.namespaces].find(([, id]) => id === registryNamespaceId)?.[0];
    const refuse = (message: string) => ({
      createOrb: { orb: null, errors: [{ message, type: 'ORB_CREATION_FAILED' }] },
    });
    if (namespace === undefined) return refuse('Namespace not found');
    if (this.orbs.has(`${namespace}/${name}`)) return refuse('Orb already exists');
    const orb: Orb = { id: randomUUID(), isPrivate: isPrivate === true, versions: new Map() };
    this.orbs.set(`${namespace}/${name}`, orb);
    return { createOrb: { orb: { id: orb.id }, errors: [] } };
  }

  private publish({ config, orbName, namespaceName, version }: Record<string, string>) {
    const refuse = (message: string) => ({ publishOrb: { orb: null, errors: [{ message }] } });
    if (this.publishRefusal !== undefined) return refuse(this.publishRefusal);
    if (!this.namespaces.has(namespaceName!)) return refuse(`Namespace ${namespaceName} not found`);
    const orb = this.orbs.get(`${namespaceName}/${orbName}`);
    if (!orb) return refuse(`Orb ${namespaceName}/${orbName} not found`);
    if (!SEMVER.test(version!)) return refuse(`Invalid version: ${version}`);
    if (orb.versions.has(version!))
      return refuse(`Version ${version} of orb ${namespaceName}/${orbName} already exists`);
    try {
      const parsed = parse(config!) as unknown;
      if (parsed === null || typeof parsed !== 'object') return refuse('Orb YAML is not a map');
    } catch (caught) {
      return refuse(`Error parsing orb YAML: ${(caught as Error).message}`);
    }
    orb.versions.set(version!, { id: randomUUID(), source: config! });
    return { publishOrb: { orb: { version }, errors: [] } };
  }
}

function bySemverDescending(a: string, b: string): number {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  return y[0]! - x[0]! || y[1]! - x[1]! || y[2]! - x[2]!;
}
