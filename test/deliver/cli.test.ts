// The delivery commands as users and CI meet them: help, what is missing from the environment,
// projects CircleCI does not show, a fleet read and changed with a bounded number of requests in
// flight, and a progress line only on a terminal.
import { afterEach, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli.ts';
import { STAND_IN_TOKEN } from '../helpers/circleci-api.ts';
import { CircleCiStandIn } from '../helpers/circleci-api.ts';
import { carbon as carbonCli } from '../helpers/cli.ts';
import {
  configModule,
  deliveryFixture,
  type DeliveryFixture,
} from '../helpers/circleci-workspace.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

let fixture: DeliveryFixture | undefined;
let standIn: CircleCiStandIn | undefined;
afterEach(async () => {
  await fixture?.api.close();
  await standIn?.close();
  fixture = standIn = undefined;
});

describe('help', () => {
  it.each([
    ['plan', ['--terraform DIR', 'CIRCLE_TOKEN', 'CARBON_CIRCLECI_URL', '1 changes to apply']],
    ['apply', ['--yes', 'reads CircleCI back to confirm']],
    ['publish', ['--via-branch NAME', '--schema FILE', 'fast-forward only']],
  ])('carbon %s --help', async (command, words) => {
    const { code, stdout } = await carbonCli([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: carbon ${command} [project[/repository]] [options]`);
    for (const word of words) expect(stdout).toContain(word);
  });
});

describe('the environment', () => {
  it('says what to do without CIRCLE_TOKEN, or with an API root that is no URL', async () => {
    fixture = await deliveryFixture('oauth');
    const none = await fixture.carbon(['plan'], { CIRCLE_TOKEN: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('carbon: CIRCLE_TOKEN is not set');
    const badUrl = await fixture.carbon(['plan'], { CARBON_CIRCLECI_URL: 'circleci.com/api/v2' });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain(
      'CARBON_CIRCLECI_URL "circleci.com/api/v2" is not an http(s) URL',
    );
    // Credentials in the API root: refused (CircleCI takes the token from CIRCLE_TOKEN), never shown.
    for (const url of [
      'https://agent:s3cretPass@circleci.example/api/v2',
      'ftp://agent:s3cretPass@x',
    ]) {
      const credentials = await fixture.carbon(['plan'], { CARBON_CIRCLECI_URL: url });
      expect(credentials.code).toBe(2);
      expect(credentials.stderr).toContain('CARBON_CIRCLECI_URL');
      expect(credentials.stderr).toContain('agent:***@');
      expect(credentials.stderr).not.toContain('s3cretPass');
    }
    const newline = await fixture.carbon(['plan'], {
      CIRCLE_TOKEN: `${STAND_IN_TOKEN}\nsecond line`,
    });
    expect(newline.code).toBe(2);
    expect(newline.stderr).toContain('CIRCLE_TOKEN holds spaces, line breaks or other characters');
    expect(newline.stderr).not.toContain(STAND_IN_TOKEN);
    expect(fixture.api.requests).toEqual([]);
  });

  it('without a network, says at once that nothing could be read, and claims no match', async () => {
    fixture = await deliveryFixture('oauth');
    // A port nothing listens on: the connection is refused, as with no network.
    const closed = await new CircleCiStandIn().start();
    await closed.close();
    const started = performance.now();
    const result = await fixture.carbon(['plan'], { CARBON_CIRCLECI_URL: closed.url });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('CircleCI could not be reached');
    expect(result.stdout).not.toContain('attempts');
    expect(result.stdout).not.toContain('CircleCI matches the settings');
    expect(result.stdout).toMatch(
      /^No changes found where CircleCI could be read, but it was not compared with the settings where a problem is marked\. 0 unchanged; \d+ problems \(marked !\)\.$/m,
    );
  });

  it('names the project CircleCI does not show, or does not let the token change, and goes on with the others', async () => {
    fixture = await deliveryFixture('oauth');
    fixture.api.inject({ path: /^\/project\/gh\/acme\/web\//, status: 403, times: Infinity });
    const forbidden = await fixture.carbon(['apply']);
    expect(forbidden.code).toBe(2);
    expect(forbidden.stdout).toContain(
      "! reading CircleCI project gh/acme/web (acme/Web): the token's user may not do this (403 Permission denied.)",
    );
    expect(fixture.api.schedules('gh/acme/api')).toHaveLength(2);

    fixture.api.clearInjections();
    fixture.api.inject({ path: /^\/project\/gh\/acme\/api\//, status: 404, times: Infinity });
    const missing = await fixture.carbon(['plan']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain(
      '! CircleCI has no project gh/acme/api that this token can see (404 Project not found)',
    );
  });
});

describe('answers of another shape', () => {
  const schedule = {
    id: 'f8d1b7a4-0e57-4a6c-9a3e-6a1c3f0e2b11',
    // Carbon's own, so that every field of it is read.
    name: 'carbon-sync-to-local-sync/develop',
    description: 'Sync develop into sync/develop (managed by Carbon)',
    timetable: { 'per-hour': 1, 'hours-of-day': [3], 'days-of-week': ['SUN'] },
    parameters: { branch: 'main' },
    actor: { id: 'c1a2b3c4-0000-4000-8000-000000000001', login: 'someone' },
  };

  it.each([
    ['a name that is a number', { ...schedule, name: 5 }, 'items[0].name: 5 is not a string'],
    [
      'a schedule without its timetable',
      { ...schedule, timetable: undefined },
      'items[0].timetable: missing',
    ],
    [
      'hours that are not numbers',
      { ...schedule, timetable: { ...schedule.timetable, 'hours-of-day': ['3'] } },
      'items[0].timetable.hours-of-day[0]: "3" is not a number',
    ],
  ])("reports %s as CircleCI's answer, exit 2, naming the field", async (_, item, says) => {
    fixture = await deliveryFixture('oauth');
    fixture.api.inject({
      method: 'GET',
      path: /^\/project\/gh\/acme\/api\/schedule/,
      status: 200,
      answer: { items: [item], next_page_token: null },
      times: Infinity,
    });
    const result = await fixture.carbon(['plan']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toContain(
      `! reading CircleCI project gh/acme/api (acme/Api): GET /project/gh/acme/api/schedule: unexpected answer from CircleCI: ${says}`,
    );
    expect(result.stderr).not.toContain('bug in Carbon');
  });

  it('reports a created pipeline definition answered without its id', async () => {
    fixture = await deliveryFixture('github-app');
    fixture.api.inject({
      method: 'POST',
      path: /\/pipeline-definitions$/,
      status: 201,
      answer: { name: 'carbon-Api' },
      times: Infinity,
    });
    const result = await fixture.carbon(['apply']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toContain('unexpected answer from CircleCI: id: missing');
    expect(result.stderr).not.toContain('bug in Carbon');
  });
});

describe('fleets', () => {
  it('reads and changes many projects with at most 8 requests in flight, and converges', async () => {
    const repositories = Array.from({ length: 24 }, (_, n) => n);
    const module = `export const fleet = {
  id: 'fleet',
  name: 'Fleet',
  repositories: [
${repositories
  .map(
    (n) =>
      `    { id: 'Repo${n}', name: 'Repo ${n}', sync: [{ direction: 'local', cron: '0 ${n % 24} * * *', branches: { origin: 'main', local: 'sync/main' } }], local: { git: 'github.com/acme/repo${n}.git' }, origin: { git: 'github.com/client/repo${n}.git' } },`,
  )
  .join('\n')}
  ],
};
`;
    const root = makeWorkspace({
      'carbon.config.ts': configModule('oauth'),
      'projects/fleet.ts': module,
    });
    standIn = await new CircleCiStandIn().start();
    for (const n of repositories) standIn.addProject(`gh/acme/repo${n}`, 'oauth');
    standIn.delayMs = 25;
    const env = { CIRCLE_TOKEN: STAND_IN_TOKEN, CARBON_CIRCLECI_URL: standIn.url };
    const apply = await carbonCli(['apply', '--root', root], { env });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply: 24 created, 0 updated, 0 replaced, 0 deleted');
    expect(standIn.maxInFlight).toBeGreaterThan(1);
    expect(standIn.maxInFlight).toBeLessThanOrEqual(8);
    const changes = standIn.changing().length;
    expect((await carbonCli(['apply', '--root', root], { env })).code).toBe(0);
    expect(standIn.changing()).toHaveLength(changes);
  });
});

describe('the progress line', () => {
  async function plan(interactive: boolean) {
    fixture = await deliveryFixture('oauth');
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      cwd: fixture.root,
      env: { ...fixture.env },
      interactive,
    };
    const code = await main(['plan', '--root', fixture.root], io);
    await fixture.api.close();
    fixture = undefined;
    return { code, out: out.join(''), err: err.join('') };
  }

  it('rewrites itself on a terminal, on stderr, and is gone before the plan is printed', async () => {
    const { code, out, err } = await plan(true);
    expect(code).toBe(1);
    expect(err).toContain('\r\x1b[Kreading: 1/3 CircleCI projects');
    expect(err).toContain('\r\x1b[Kreading: 3/3 CircleCI projects');
    expect(err.endsWith('\r\x1b[K')).toBe(true);
    expect(out).not.toContain('\r');
  });

  it('is not there when the output is no terminal', async () => {
    const { code, err } = await plan(false);
    expect(code).toBe(1);
    expect(err).toBe('');
  });
});
