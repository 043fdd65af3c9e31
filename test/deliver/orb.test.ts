// The orb put live with the rest: plan reads CircleCI's orb registry (the GraphQL API of the
// CircleCI CLI, in the stand-in) and says whether the version the configs reference is published
// with orb.yml's content; apply makes the orb and publishes the version before anything else, and
// never publishes over a version that exists.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ORB_DOCUMENTS } from '../../src/deliver/circleci/orbs.ts';
import { orbContent } from '../../src/output/versions.ts';
import { STAND_IN_TOKEN } from '../helpers/circleci-api.ts';
import { CLI_DOCUMENTS, normalized } from '../helpers/circleci-orbs.ts';
import {
  configModule,
  deliveryFixture,
  type DeliveryFixture,
} from '../helpers/circleci-workspace.ts';

let fixture: DeliveryFixture | undefined;
afterEach(async () => {
  await fixture?.api.close();
  fixture = undefined;
});

const REFERENCE = 'acme-agency/carbon@1.0.0';

/** The oauth fixture with orb.namespace set, generated again. */
async function withNamespace(namespace = 'acme-agency'): Promise<DeliveryFixture> {
  fixture = await deliveryFixture('oauth');
  const config = configModule('oauth').replace(
    'export default {',
    `export default { orb: { namespace: '${namespace}' },`,
  );
  writeFileSync(join(fixture.root, 'carbon.config.ts'), config);
  const generated = await fixture.carbon(['generate']);
  expect(generated.code, generated.stderr).toBe(0);
  return fixture;
}

const orbSource = (root: string) => orbContent(readFileSync(join(root, 'orb.yml'), 'utf8'));
const graphql = (f: DeliveryFixture) =>
  f.api.requests.filter((request) => request.path === '/graphql-unstable');
/** The requests that change something: GraphQL mutations, and what is no GET in API v2. */
const writes = (f: DeliveryFixture) =>
  f.api.requests.filter((request) =>
    request.path === '/graphql-unstable'
      ? /^\s*mutation/.test((request.body as { query: string }).query)
      : request.method !== 'GET',
  );

describe("the orb registry's requests", () => {
  it("are the CircleCI CLI's, and the stand-in refuses any other", async () => {
    const cli = new Set(Object.values(CLI_DOCUMENTS).map(normalized));
    for (const document of Object.values(ORB_DOCUMENTS))
      expect(cli).toContain(normalized(document));
    fixture = await deliveryFixture('oauth');
    const post = (body: unknown, token = STAND_IN_TOKEN) =>
      fetch(fixture!.api.url.replace('/api/v2', '/graphql-unstable'), {
        method: 'POST',
        headers: { Authorization: token, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ids = { query: CLI_DOCUMENTS.ids, variables: { name: 'a/carbon', namespace: 'a' } };
    expect((await post(ids)).status).toBe(200);
    const extraField = ids.query.replace('isPrivate', 'isPrivate\n createdAt');
    expect((await post({ ...ids, query: extraField })).status).toBe(400);
    expect((await post({ ...ids, variables: { name: 'a/carbon', ns: 'a' } })).status).toBe(400);
    expect((await post({ ...ids, variables: { name: 7 } })).status).toBe(400);
    expect((await post(ids, 'wrong')).status).toBe(401);
    expect(fixture.api.refused.map((refusal) => refusal.message)).toEqual([
      expect.stringContaining('not a document the CircleCI CLI sends'),
      'variable $ns is not declared',
      'variable $name is not a String',
      'You must log in first.',
    ]);
  });
});

describe('carbon plan and apply with a published orb', () => {
  it('makes the orb and publishes the version before the schedules, then finds nothing to do', async () => {
    const f = await withNamespace();
    f.api.orbs.addNamespace('acme-agency');
    const plan = await f.carbon(['plan']);
    expect(plan.code, plan.stderr).toBe(1);
    expect(plan.stdout).toContain(
      `orb ${REFERENCE} (CircleCI orb registry)\n  + orb acme-agency/carbon\n      namespace: "acme-agency"\n      private:   false\n  + orb version ${REFERENCE}\n      source: "orb.yml (sha256:`,
    );
    // Plan only reads.
    expect(f.api.orbs.received.map((r) => r.document)).toEqual(['source', 'ids']);

    const apply = await f.carbon(['apply']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain(
      `orb ${REFERENCE}: created orb acme-agency/carbon\norb ${REFERENCE}: created orb version ${REFERENCE}\n`,
    );
    const published = f.api.orbs.orbs.get('acme-agency/carbon')!.versions.get('1.0.0')!;
    expect(published.source).toBe(orbSource(f.root));
    // Published first: every config references it.
    const changing = writes(f).map((request) => request.path);
    expect(changing.slice(0, 2)).toEqual(['/graphql-unstable', '/graphql-unstable']);
    expect(changing.slice(2).every((path) => path.endsWith('/schedule'))).toBe(true);
    expect(changing.length).toBeGreaterThan(2);
    expect(f.api.orbs.received.map((r) => r.document).slice(2)).toEqual([
      'source',
      'ids',
      'create',
      'publish',
      'source',
    ]);
    expect(f.api.orbs.received.find((r) => r.document === 'publish')!.variables).toEqual({
      config: published.source,
      orbName: 'carbon',
      namespaceName: 'acme-agency',
      version: '1.0.0',
    });

    const again = await f.carbon(['plan']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^No changes: CircleCI matches the settings\./m);
  });

  it('publishes a new version in an orb that exists, without making it again', async () => {
    const f = await withNamespace();
    f.api.orbs.addNamespace('acme-agency');
    f.api.orbs.published('acme-agency', 'carbon', '0.9.0', 'version: 2.1\n');
    const apply = await f.carbon(['apply']);
    expect(apply.code, apply.stdout).toBe(0);
    expect(f.api.orbs.received.map((r) => r.document)).not.toContain('create');
    expect(f.api.orbs.orbs.get('acme-agency/carbon')!.versions.has('1.0.0')).toBe(true);
  });

  it('refuses a version published with other content, says which to bump to, and changes nothing', async () => {
    const f = await withNamespace();
    f.api.orbs.addNamespace('acme-agency');
    f.api.orbs.published('acme-agency', 'carbon', '1.0.0', 'version: 2.1\ndescription: older\n');
    f.api.orbs.published('acme-agency', 'carbon', '1.3.2', 'version: 2.1\n');
    for (const command of ['plan', 'apply']) {
      const result = await f.carbon([command]);
      expect(result.code).toBe(2);
      expect(result.stdout).toContain(
        `  ! ${REFERENCE} is published with other content than orb.yml, and a published version never changes: set orb.version in carbon.config.ts to 1.3.3 (1.4.0 for a feature, 2.0.0 for a breaking change; 1.3.2 is the highest published), run \`npm run generate\`, then apply`,
      );
    }
    expect(writes(f)).toEqual([]);
    expect(f.api.orbs.received.map((r) => r.document)).not.toContain('publish');
  });

  it('says the namespace is missing, and how one is made', async () => {
    const f = await withNamespace();
    const plan = await f.carbon(['apply']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(
      '! CircleCI has no orb namespace "acme-agency" that this token can see: an admin of your CircleCI organization makes it once (`circleci namespace create acme-agency --org-id <organization id>`)',
    );
    expect(f.api.orbs.received.map((r) => r.document)).not.toContain('create');
  });

  it('tries nothing else when publishing fails: the configs would reference a version that is not there', async () => {
    const f = await withNamespace();
    f.api.orbs.addNamespace('acme-agency');
    f.api.orbs.publishRefusal = 'Cannot parse the orb: jobs must be a map';
    const apply = await f.carbon(['apply']);
    expect(apply.code).toBe(2);
    expect(apply.stdout).toContain(
      `orb ${REFERENCE}: ! publishing orb version ${REFERENCE} in CircleCI's orb registry: POST /graphql-unstable: Cannot parse the orb: jobs must be a map`,
    );
    expect(apply.stdout).toContain(
      `acme/Api: ! not tried: the configs reference ${REFERENCE}, which is not published as orb.yml has it`,
    );
    expect(writes(f).filter((request) => request.path !== '/graphql-unstable')).toEqual([]);
  });

  it('refuses to publish an orb.yml that generate did not pack for the version', async () => {
    const f = await withNamespace();
    const path = join(f.root, 'orb.yml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('Clone one repository', 'Clone a repo'));
    const plan = await f.carbon(['plan']);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain(
      `carbon: orb.yml is not the orb generate packed for ${REFERENCE} (orb-versions.yml records other content for it): run \`npm run generate\``,
    );
    expect(graphql(f)).toEqual([]);
  });

  it('leaves the registry alone when the configs carry the orb inline', async () => {
    fixture = await deliveryFixture('oauth');
    const plan = await fixture.carbon(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).not.toContain('orb registry');
    expect(graphql(fixture)).toEqual([]);
  });
});
