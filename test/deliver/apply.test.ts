// carbon plan and carbon apply end to end: the real CLI against the CircleCI stand-in, for both
// integrations. What apply makes is what schedules.yml lists; a second apply changes nothing; a
// removed sync rule loses its schedule; what is not Carbon's is listed and left alone; throttling
// and failures half way are survived, and the next apply converges.
import { afterEach, describe, expect, it } from 'vitest';
import { STAND_IN_TOKEN } from '../helpers/circleci-api.ts';
import {
  API_SYNCS,
  APP_SLUG,
  deliveryFixture,
  GITHUB_IDS,
  HAND_MADE_SCHEDULE,
  type DeliveryFixture,
  type Integration,
} from '../helpers/circleci-workspace.ts';

let fixture: DeliveryFixture;
afterEach(() => fixture?.api.close());

/** Everything Carbon's schedules are made of, per integration, as the stand-in holds it. */
function schedulesHeld(integration: Integration): unknown[] {
  if (integration === 'oauth')
    return fixture.api
      .schedules('gh/acme/api')
      .filter((schedule) => String(schedule['name']).startsWith('carbon-'))
      .map((schedule) => ({
        name: schedule['name'],
        description: schedule['description'],
        'attribution-actor':
          (schedule['actor'] as { login: string }).login === 'system' ? 'system' : 'current',
        parameters: schedule['parameters'],
        timetable: schedule['timetable'],
      }));
  return fixture.api
    .triggers(APP_SLUG, 'carbon-Api')
    .filter((trigger) => (trigger['event_source'] as { provider: string }).provider === 'schedule')
    .map(({ id: _id, created_at: _created, event_source, ...trigger }) => {
      const { schedule } = event_source as { schedule: { cron_expression: string } };
      return {
        event_name: trigger['event_name'],
        event_source: {
          provider: 'schedule',
          schedule: { cron_expression: schedule.cron_expression, attribution_actor: 'system' },
        },
        checkout_ref: trigger['checkout_ref'],
        config_ref: trigger['config_ref'],
        parameters: trigger['parameters'],
        disabled: trigger['disabled'],
      };
    });
}

const listed = (integration: Integration) => (integration === 'oauth' ? 'schedules' : 'triggers');

describe.each(['oauth', 'github-app'] as const)('with %s projects', (integration) => {
  it('creates everything on an empty CircleCI, exactly as schedules.yml lists it; a second apply changes nothing', async () => {
    fixture = await deliveryFixture(integration);
    const plan = await fixture.carbon(['plan']);
    expect(plan.code, plan.stderr).toBe(1);
    expect(plan.stdout).toContain('acme/Api (CircleCI project');
    expect(plan.stdout).toMatch(
      /\+ (schedule|schedule trigger) "carbon-sync-to-local-sync\/develop"/,
    );
    expect(plan.stdout).toMatch(/^Plan: \d+ to create, 0 to update, 0 to replace, 0 to delete\./m);
    expect(fixture.api.changing()).toEqual([]);

    const apply = await fixture.carbon(['apply']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain('read back, CircleCI matches the settings.');
    expect(schedulesHeld(integration)).toEqual(fixture.schedulesFile('Api')[listed(integration)]);
    if (integration === 'github-app') {
      expect(
        fixture.api
          .definitions(APP_SLUG)
          .map((d) => d['name'])
          .sort(),
      ).toEqual(['carbon-Api', 'carbon-Web']);
      // Its pushes, and (a cascade) pushes to the carbon repository's main, which it checks out.
      expect(
        fixture.api
          .triggers(APP_SLUG, 'carbon-Web')
          .map((trigger) => [
            trigger['event_preset'],
            (trigger['event_source'] as { repo: { external_id: string } }).repo.external_id,
            trigger['checkout_ref'] ?? null,
            trigger['config_ref'],
          ]),
      ).toEqual([
        ['all-pushes', GITHUB_IDS.web, null, 'main'],
        ['default-branch-pushes', GITHUB_IDS.carbon, 'main', 'main'],
      ]);
    }
    expect(fixture.api.refused).toEqual([]);

    const changes = fixture.api.changing().length;
    const again = await fixture.carbon(['apply']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^No changes: CircleCI matches the settings\. \d+ unchanged\.$/m);
    expect(fixture.api.changing()).toHaveLength(changes);
    const drift = await fixture.carbon(['plan']);
    expect(drift.code).toBe(0);
  });

  it("deletes the schedule of a removed sync rule, only with --yes off a terminal, and leaves what is not Carbon's alone", async () => {
    fixture = await deliveryFixture(integration);
    expect((await fixture.carbon(['apply'])).code).toBe(0);
    const handMade = addHandMade(integration);
    await fixture.setSyncs(API_SYNCS.slice(0, 1));

    const plan = await fixture.carbon(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(
      /- (schedule|schedule trigger) "carbon-sync-to-origin-agency\/release" \(no sync rule makes it any more\)/,
    );
    expect(plan.stdout).toContain(`· not Carbon's, left alone: ${handMade}`);

    const before = fixture.api.changing().length;
    const refused = await fixture.carbon(['apply']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'deletions need --yes when stdin is not a terminal; nothing was changed',
    );
    expect(fixture.api.changing()).toHaveLength(before);

    const apply = await fixture.carbon(['apply', '--yes']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(
      fixture.api
        .changing()
        .slice(before)
        .map((request) => request.method),
    ).toEqual(['DELETE']);
    expect(schedulesHeld(integration)).toEqual(fixture.schedulesFile('Api')[listed(integration)]);
    expect(handMadeStillThere(integration)).toBe(true);
  });

  it('waits out a 429 and goes on', async () => {
    fixture = await deliveryFixture(integration);
    fixture.api.inject({ method: 'POST', status: 429, retryAfter: '0', times: 1 });
    const apply = await fixture.carbon(['apply']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(fixture.api.requests.filter((request) => request.status === 429)).toHaveLength(1);
    expect(schedulesHeld(integration)).toEqual(fixture.schedulesFile('Api')[listed(integration)]);
  });

  it('converges after a failure half way', async () => {
    fixture = await deliveryFixture(integration);
    // OAuth: one of the two schedules made; GitHub App: a pipeline, its push trigger and one
    // schedule trigger of six objects.
    const through = integration === 'oauth' ? 1 : 3;
    fixture.api.inject({
      method: 'POST',
      status: 500,
      retryAfter: '0',
      after: through,
      times: Infinity,
    });
    const broken = await fixture.carbon(['apply']);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toMatch(/! creating .* 500 Internal server error\. \(after 5 attempts\)/);
    expect(broken.stdout).toContain('run carbon apply again once the cause is fixed');
    const made = fixture.api.changing().filter((request) => request.status < 300);
    expect(made).toHaveLength(through);

    fixture.api.clearInjections();
    const plan = await fixture.carbon(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).not.toContain('to delete. 0 unchanged');
    const apply = await fixture.carbon(['apply']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).not.toMatch(/deleted [^0]|replaced [^0]/);
    expect(schedulesHeld(integration)).toEqual(fixture.schedulesFile('Api')[listed(integration)]);
    const changes = fixture.api.changing().length;
    expect((await fixture.carbon(['apply'])).code).toBe(0);
    expect(fixture.api.changing()).toHaveLength(changes);
  });

  it('stops with exit 2 naming the project when CircleCI refuses the token, and never prints it', async () => {
    fixture = await deliveryFixture(integration);
    const wrong = 'CCIPAT_thisTokenIsWrongAndSecret42';
    const plan = await fixture.carbon(['plan'], { CIRCLE_TOKEN: wrong, CARBON_DEBUG: '1' });
    expect(plan.code).toBe(2);
    const slug = integration === 'oauth' ? 'gh/acme/' : APP_SLUG;
    expect(plan.stderr).toContain(`CircleCI project ${slug}`);
    expect(plan.stderr).toContain(
      'CircleCI refused the token in CIRCLE_TOKEN (401 Invalid token provided.)',
    );
    expect(plan.stderr).toContain('circleci: GET /'); // the debug lines are there...
    expect(plan.stdout + plan.stderr).not.toContain(wrong); // ...and the token is not
    expect(plan.stdout + plan.stderr).not.toContain(STAND_IN_TOKEN);
  });
});

function addHandMade(integration: Integration): string {
  if (integration === 'oauth') {
    fixture.api.addScheduleByHand('gh/acme/api', HAND_MADE_SCHEDULE);
    return 'schedule "nightly backup"';
  }
  fixture.api.addDefinitionByHand(
    APP_SLUG,
    {
      name: 'build-and-test',
      description: 'made in the web app',
      config_source: {
        provider: 'github_app',
        repo: { external_id: '952038793' },
        file_path: '.circleci/config.yml',
      },
      checkout_source: { provider: 'github_app', repo: { external_id: '952038793' } },
    },
    [
      {
        event_source: { provider: 'github_app', repo: { external_id: '952038793' } },
        event_preset: 'only-build-prs',
      },
    ],
  );
  return 'pipeline "build-and-test" (it checks out this repository too)';
}

function handMadeStillThere(integration: Integration): boolean {
  if (integration === 'oauth')
    return fixture.api
      .schedules('gh/acme/api')
      .some((schedule) => schedule['name'] === 'nightly backup');
  return (
    fixture.api
      .definitions(APP_SLUG)
      .some((definition) => definition['name'] === 'build-and-test') &&
    fixture.api.triggers(APP_SLUG, 'build-and-test').length === 1
  );
}
