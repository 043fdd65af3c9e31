// The orb the configs reference, put live like the rest of the setup: `carbon plan` says whether
// CircleCI's registry has that version with exactly orb.yml's content, and `carbon apply`
// publishes it (making the orb in the workspace's namespace when it is missing) before anything
// that references it. A published version never changes: other content under it is a problem to
// solve with a new version, never a change to make. Only `reference: 'registry'` is published:
// a URL orb is served by whoever serves it, and an inline one is in every config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { ORB_FILE, orbName } from '../output/layout.ts';
import {
  VERSIONS_FILE,
  highestVersion,
  nextVersions,
  orbContent,
  orbDigest,
  readRecord,
} from '../output/versions.ts';
import type { Config as Settings } from '../settings/schema.ts';
import type { OrbRegistry } from './circleci/orbs.ts';
import { emptyGroup, type Change, type PlanGroup } from './changes.ts';

export interface DesiredOrb {
  namespace: string;
  name: string;
  version: string;
  /** `namespace/name@version`, as the configs write it. */
  reference: string;
  /** What is published: orb.yml below its header, the content orb-versions.yml records. */
  source: string;
  digest: string;
}

/**
 * The orb to publish, from orb.yml as generate wrote it for the settings' version: an orb.yml
 * that is missing, packed for another version or changed since is refused, since what apply
 * publishes can never be taken back.
 */
export function desiredOrb(root: string, settings: Settings): DesiredOrb | undefined {
  const { reference, namespace, name, version } = settings.orb;
  if (reference !== 'registry' || namespace === undefined) return undefined;
  const wanted = `${orbName(settings)}@${version}`;
  const generate = 'run `npm run generate` (and commit what it writes), then plan again';
  const text = readText(root, ORB_FILE);
  if (text === undefined)
    throw new UserError(`${ORB_FILE} is missing: carbon publishes ${wanted} from it; ${generate}`);
  const digest = orbDigest(text);
  const recorded = readRecord(readText(root, VERSIONS_FILE)).get(version);
  if (
    !text.split('\n', 3).some((line) => line.startsWith(`# The orb ${wanted},`)) ||
    recorded !== digest
  )
    throw new UserError(
      `${ORB_FILE} is not the orb generate packed for ${wanted} (${VERSIONS_FILE} ${recorded === undefined ? 'does not record that version' : 'records other content for it'}): ${generate}`,
    );
  return { namespace, name, version, reference: wanted, source: orbContent(text), digest };
}

function readText(root: string, file: string): string | undefined {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw caught;
  }
}

export type OrbCurrent =
  | { kind: 'published' }
  | { kind: 'other-content'; highest: string | undefined }
  | { kind: 'unpublished'; orbId?: string; namespaceId?: string };

/**
 * What the registry holds of the version: read only, with the requests of `circleci orb source`
 * (the version by its reference, then its source), of `circleci orb publish increment` (the
 * stable versions, for the one to bump to), and of `circleci orb publish` and `orb create` (the
 * orb by name, then its namespace).
 */
export async function readOrb(registry: OrbRegistry, orb: DesiredOrb): Promise<OrbCurrent> {
  const published = await registry.version(orb.reference);
  if (published) {
    if ((await registry.source(published.id)) === orb.source) return { kind: 'published' };
    return {
      kind: 'other-content',
      highest: highest(await registry.stableVersions(published.orbId)),
    };
  }
  const orbId = await registry.orb(`${orb.namespace}/${orb.name}`);
  if (orbId !== undefined) return { kind: 'unpublished', orbId };
  const namespaceId = await registry.namespace(orb.namespace);
  return { kind: 'unpublished', ...(namespaceId === undefined ? {} : { namespaceId }) };
}

/** The highest stable version, of those that are MAJOR.MINOR.PATCH as orb.version is. */
function highest(versions: string[]): string | undefined {
  return highestVersion(versions.filter((version) => /^\d+\.\d+\.\d+$/.test(version)));
}

export interface OrbPlan {
  orb: DesiredOrb;
  group: PlanGroup;
  /** The namespace's id, where the orb is to be made. */
  namespaceId?: string;
}

const ORB_CREATE = 'orb';
const ORB_PUBLISH = 'orb version';

/** The orb's group of a plan: it is in no CircleCI project. */
export function orbGroup(orb: DesiredOrb): PlanGroup {
  return {
    ...emptyGroup(`orb ${orb.reference}`, ''),
    heading: `orb ${orb.reference} (CircleCI orb registry)`,
  };
}

export function planOrb(orb: DesiredOrb, current: OrbCurrent): OrbPlan {
  const group = orbGroup(orb);
  const label = `${ORB_PUBLISH} ${orb.reference}`;
  if (current.kind === 'published') {
    group.unchanged.push(label);
    return { orb, group };
  }
  if (current.kind === 'other-content') {
    const next = nextVersions(orb.version, current.highest ? [current.highest] : []);
    group.problems.push(
      `${orb.reference} is published with other content than ${ORB_FILE}, and a published version never changes: set orb.version in carbon.config.ts to ${next.fix} (${next.feature} for a feature, ${next.major} for a breaking change${current.highest ? `; ${current.highest} is the highest published` : ''}), run \`npm run generate\`, then apply`,
    );
    return { orb, group };
  }
  if (current.orbId === undefined && current.namespaceId === undefined) {
    group.problems.push(
      `CircleCI has no orb namespace "${orb.namespace}" that this token can see: an admin of your CircleCI organization makes it once (\`circleci namespace create ${orb.namespace} --org gh/<organization>\`, with the CircleCI CLI), or set orb.namespace to your organization's namespace`,
    );
    return { orb, group };
  }
  if (current.orbId === undefined)
    group.changes.push(
      orbChange(`${ORB_CREATE} ${orb.namespace}/${orb.name}`, [
        { field: 'namespace', after: orb.namespace },
        { field: 'private', after: false },
      ]),
    );
  group.changes.push(
    orbChange(label, [{ field: 'source', after: `${ORB_FILE} (${orb.digest.slice(0, 19)}…)` }]),
  );
  return {
    orb,
    group,
    ...(current.namespaceId === undefined ? {} : { namespaceId: current.namespaceId }),
  };
}

function orbChange(label: string, fields: Change['fields']): Change {
  return { action: 'create', kind: 'orb', label, fields, steps: [] };
}

/**
 * Carries an orb change out: making the orb in the namespace plan found (as `circleci orb
 * create`), or publishing the version (as `circleci orb publish`). A MAJOR.MINOR.PATCH version is
 * what its reference resolves to once published: promoting is for the CLI's `dev:` versions, and
 * picks the number itself.
 */
export async function applyOrbChange(
  registry: OrbRegistry,
  planned: OrbPlan,
  change: Change,
): Promise<void> {
  const { orb } = planned;
  if (!change.label.startsWith(`${ORB_PUBLISH} `)) {
    await registry.create(planned.namespaceId!, orb.name);
    return;
  }
  await registry.publish(`${orb.namespace}/${orb.name}`, orb.version, orb.source);
}
