// The orb put live with the rest: plan reads CircleCI's orb registry (API v3, with the requests of
// the CircleCI CLI, in the stand-in) and says whether the version the configs reference is
// published with orb.yml's content; apply makes the orb and publishes the version before anything
// else, reads it back, and never publishes over a version that exists.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { query } from '../../src/deliver/circleci/orbs.ts';
import { orbContent } from '../../src/output/versions.ts';
import { CircleCiStandIn, STAND_IN_TOKEN } from '../helpers/circleci-api.ts';
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
const registry = (f: DeliveryFixture) =>
  f.api.requests.filter((request) => request.path.startsWith('/api/v3/'));
const writes = (f: DeliveryFixture) => f.api.requests.filter((request) => request.method !== 'GET');
const received = (f: DeliveryFixture) => f.api.orbs.received.map((r) => r.request);

describe("the orb registry's requests", () => {
  it("have their query encoded as the CLI's Go client does: sorted keys, url.QueryEscape", () => {
    expect(query({ 'filter[ref]': REFERENCE })).toBe(
      '?filter%5Bref%5D=acme-agency%2Fcarbon%401.0.0',
    );
    expect(
      query({ 'page[cursor]': '', 'filter[orb_id]': 'o', 'filter[channel]': "a b!*'()~" }),
    ).toBe('?filter%5Bchannel%5D=a+b%21%2A%27%28%29~&filter%5Borb_id%5D=o');
  });

  it("are the CircleCI CLI's, and the stand-in refuses any other", async () => {
    const api = await new CircleCiStandIn().start();
    try {
      const namespaceId = api.orbs.addNamespace('myorg');
      const root = api.url.replace('/api/v2', '');
      const send = (
        method: string,
        path: string,
        body?: string,
        headers: Record<string, string> = {},
      ) =>
        fetch(`${root}${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${STAND_IN_TOKEN}`,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body }),
        });
      // The bodies of the CLI's acceptance tests (TestOrbCreate, TestOrbPublish), byte for byte.
      const create = `{"data":{"attributes":{"name":"my-orb","is_private":false},"references":{"namespace":{"id":"${namespaceId}"}}}}`;
      expect((await send('POST', '/api/v3/orb/packages', create)).status).toBe(201);
      const byName = await send('GET', '/api/v3/orb/packages?filter%5Bname%5D=myorg%2Fmy-orb');
      const orbId = ((await byName.json()) as { data: { id: string }[] }).data[0]!.id;
      const publish = `{"data":{"attributes":{"orb_id":"${orbId}","yaml":"version: 2.1\\ndescription: My test orb\\n","version":"1.0.0"}}}`;
      expect((await send('POST', '/api/v3/orb/versions', publish)).status).toBe(201);
      const version = await send(
        'GET',
        '/api/v3/orb/versions?filter%5Bref%5D=myorg%2Fmy-orb%401.0.0',
      );
      const versionId = ((await version.json()) as { data: { id: string }[] }).data[0]!.id;
      const source = await send('GET', `/api/v3/orb/versions/${versionId}/source`);
      expect(await source.text()).toBe('version: 2.1\ndescription: My test orb\n');
      expect(api.refused).toEqual([]);

      const refusals: [number, Promise<Response>][] = [
        [404, send('POST', '/graphql-unstable', '{"query":"{ me { id } }"}')],
        [400, send('GET', '/api/v3/orb/packages?filter[name]=myorg/my-orb')],
        [404, send('GET', '/api/v3/orb/packages?filter%5Bnamespace%5D=myorg')],
        [400, send('GET', '/api/v3/orb/versions?filter%5Borb_id%5D=x&filter%5Bchannel%5D=stable')],
        [
          401,
          send('GET', '/api/v3/namespaces?filter%5Bname%5D=myorg', undefined, {
            Authorization: STAND_IN_TOKEN,
          }),
        ],
        [
          401,
          fetch(`${root}/api/v3/namespaces?filter%5Bname%5D=myorg`, {
            headers: { 'Circle-Token': STAND_IN_TOKEN, Accept: 'application/json' },
          }),
        ],
        [400, send('POST', '/api/v3/orb/packages', create, { 'Content-Type': 'application/json' })],
        [
          400,
          send(
            'POST',
            '/api/v3/orb/packages',
            create.replace('"is_private":false', '"is_private":"false"'),
          ),
        ],
        [
          400,
          send(
            'POST',
            '/api/v3/orb/packages',
            create.replace('"name":"my-orb",', '"namespace":"myorg","name":"my-orb",'),
          ),
        ],
        [
          400,
          send(
            'POST',
            '/api/v3/orb/versions',
            JSON.stringify({ orb_id: orbId, yaml: 'version: 2.1', version: '1.0.1' }),
          ),
        ],
      ];
      const statuses = [];
      for (const [, response] of refusals) statuses.push((await response).status);
      expect(statuses).toEqual(refusals.map(([status]) => status));
      expect(api.refused.map((refusal) => refusal.message)).toEqual([
        'Not found',
        "query parameter filter[name]=myorg/my-orb is not encoded as Go's url.Values does: filter%5Bname%5D=myorg%2Fmy-orb",
        expect.stringContaining("is none of the CircleCI CLI's orb requests"),
        "query parameters not in Go's order (sorted by key): filter%5Borb_id%5D=x&filter%5Bchannel%5D=stable",
        'Unauthorized',
        'Unauthorized',
        'Content-Type is application/json, not application/json; charset=utf-8',
        'body.data.attributes.is_private is not a boolean',
        'body.data.attributes has the fields namespace, name, is_private, not name, is_private',
        'body has the fields orb_id, yaml, version, not data',
      ]);
    } finally {
      await api.close();
    }
  });
});

describe('carbon plan and apply with a published orb', () => {
  it('makes the orb and publishes the version before the schedules, reads it back, then finds nothing to do', async () => {
    const f = await withNamespace();
    const namespaceId = f.api.orbs.addNamespace('acme-agency');
    const plan = await f.carbon(['plan']);
    expect(plan.code, plan.stderr).toBe(1);
    expect(plan.stdout).toContain(
      `orb ${REFERENCE} (CircleCI orb registry)\n  + orb acme-agency/carbon\n      namespace: "acme-agency"\n      private:   false\n  + orb version ${REFERENCE}\n      source: "orb.yml (sha256:`,
    );
    // Plan only reads: the version by its reference, then the orb by name, then the namespace.
    expect(registry(f).map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/v3/orb/versions?filter%5Bref%5D=acme-agency%2Fcarbon%401.0.0',
      'GET /api/v3/orb/packages?filter%5Bname%5D=acme-agency%2Fcarbon',
      'GET /api/v3/namespaces?filter%5Bname%5D=acme-agency',
    ]);

    const apply = await f.carbon(['apply']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain(
      `orb ${REFERENCE}: created orb acme-agency/carbon\norb ${REFERENCE}: created orb version ${REFERENCE}\n`,
    );
    const orb = f.api.orbs.orbs.get('acme-agency/carbon')!;
    const published = orb.versions.find((version) => version.version === '1.0.0')!;
    expect(published.source).toBe(orbSource(f.root));
    expect(orb.isPrivate).toBe(false);
    // Published first: every config references it.
    const changing = writes(f).map((request) => request.path);
    expect(changing.slice(0, 2)).toEqual(['/api/v3/orb/packages', '/api/v3/orb/versions']);
    expect(changing.slice(2).every((path) => path.endsWith('/schedule'))).toBe(true);
    expect(changing.length).toBeGreaterThan(2);
    // `circleci orb create` (the namespace as plan found it), `circleci orb publish`, then the
    // version read back as `circleci orb source` reads it.
    expect(received(f).slice(3)).toEqual([
      'GetOrbVersionByRef',
      'GetOrbPackageByName',
      'GetNamespace',
      'CreateOrbPackage',
      'GetOrbPackageByName',
      'PublishOrbVersion',
      'GetOrbVersionByRef',
      'GetOrbSource',
    ]);
    const bodies = f.api.orbs.received.filter((r) => r.body !== undefined).map((r) => r.body);
    expect(bodies).toEqual([
      {
        data: {
          attributes: { name: 'carbon', is_private: false },
          references: { namespace: { id: namespaceId } },
        },
      },
      { data: { attributes: { orb_id: orb.id, yaml: published.source, version: '1.0.0' } } },
    ]);
    expect(f.api.refused).toEqual([]);

    const again = await f.carbon(['plan']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^No changes: CircleCI matches the settings\./m);
  });

  it('publishes a new version in an orb that exists, without making it again', async () => {
    const f = await withNamespace();
    f.api.orbs.published('acme-agency', 'carbon', '0.9.0', 'version: 2.1\n');
    const apply = await f.carbon(['apply']);
    expect(apply.code, apply.stdout).toBe(0);
    expect(received(f)).not.toContain('CreateOrbPackage');
    expect(received(f)).not.toContain('GetNamespace');
    const versions = f.api.orbs.orbs.get('acme-agency/carbon')!.versions.map((v) => v.version);
    expect(versions).toEqual(['1.0.0', '0.9.0']);
    expect(f.api.refused).toEqual([]);
  });

  it('refuses a version published with other content, says which to bump to from every stable version, and changes nothing', async () => {
    const f = await withNamespace();
    // Newest first, the highest is not the newest; dev versions are not pinned by a reference.
    for (const version of ['1.3.2', '1.0.0', '0.9.0', '1.2.0', 'dev:next'])
      f.api.orbs.published(
        'acme-agency',
        'carbon',
        version,
        `version: 2.1\ndescription: ${version}\n`,
      );
    f.api.orbs.pageSize = 2;
    for (const command of ['plan', 'apply']) {
      const result = await f.carbon([command]);
      expect(result.code).toBe(2);
      expect(result.stdout).toContain(
        `  ! ${REFERENCE} is published with other content than orb.yml, and a published version never changes: set orb.version in carbon.config.ts to 1.3.3 (1.4.0 for a feature, 2.0.0 for a breaking change; 1.3.2 is the highest published), run \`npm run generate\`, then apply`,
      );
    }
    expect(writes(f)).toEqual([]);
    const pages = f.api.orbs.received.filter((r) => r.request === 'ListOrbVersions');
    expect(pages.map((r) => r.query['page[cursor]'])).toEqual([undefined, '2', undefined, '2']);
    expect(pages[0]!.query['filter[channel]']).toBe('stable');
  });

  it('says the namespace is missing, and how one is made', async () => {
    const f = await withNamespace();
    const plan = await f.carbon(['apply']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(
      '! CircleCI has no orb namespace "acme-agency" that this token can see: an admin of your CircleCI organization makes it once (`circleci namespace create acme-agency --org gh/<organization>`, with the CircleCI CLI)',
    );
    expect(writes(f)).toEqual([]);
  });

  it('tries nothing else when publishing fails: the configs would reference a version that is not there', async () => {
    const f = await withNamespace();
    f.api.orbs.addNamespace('acme-agency');
    f.api.orbs.publishRefusal = 'Cannot parse the orb: jobs must be a map';
    const apply = await f.carbon(['apply']);
    expect(apply.code).toBe(2);
    expect(apply.stdout).toContain(
      `orb ${REFERENCE}: ! publishing orb version ${REFERENCE} in CircleCI's orb registry: POST /api/v3/orb/versions: 400 Bad Request: Cannot parse the orb: jobs must be a map`,
    );
    expect(apply.stdout).toContain(
      `acme/Api: ! not tried: the configs reference ${REFERENCE}, which is not published as orb.yml has it`,
    );
    expect(writes(f).map((request) => request.path)).toEqual([
      '/api/v3/orb/packages',
      '/api/v3/orb/versions',
    ]);
  });

  it('does not claim the version published when it cannot read it back', async () => {
    const f = await withNamespace();
    f.api.orbs.addNamespace('acme-agency');
    f.api.inject({
      path: /^\/api\/v3\/orb\/versions\/[^/]+\/source$/,
      status: 404,
      message: 'orb version not found',
      times: Infinity,
    });
    const apply = await f.carbon(['apply']);
    expect(apply.code).toBe(2);
    expect(apply.stdout).toMatch(
      new RegExp(
        `orb ${REFERENCE}: ! reading ${REFERENCE} in CircleCI's orb registry: GET /api/v3/orb/versions/[0-9a-f-]+/source: not found`,
      ),
    );
    expect(apply.stdout).not.toContain('CircleCI matches the settings');
  });

  it('without a network, claims nothing of the orb', async () => {
    const f = await withNamespace();
    const closed = await new CircleCiStandIn().start();
    await closed.close();
    const plan = await f.carbon(['plan'], { CARBON_CIRCLECI_URL: closed.url });
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(
      `orb ${REFERENCE} (CircleCI orb registry)\n  ! reading ${REFERENCE} in CircleCI's orb registry: GET /api/v3/orb/versions?filter%5Bref%5D=acme-agency%2Fcarbon%401.0.0: CircleCI could not be reached`,
    );
    expect(plan.stdout).not.toContain('CircleCI matches the settings');
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
    expect(registry(f)).toEqual([]);
  });

  it('leaves the registry alone when the configs carry the orb inline', async () => {
    fixture = await deliveryFixture('oauth');
    const plan = await fixture.carbon(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).not.toContain('orb registry');
    expect(registry(fixture)).toEqual([]);
  });
});
