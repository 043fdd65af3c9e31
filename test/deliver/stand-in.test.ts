// The stand-in is strict where CircleCI is (or may be): it takes the bodies CircleCI's official
// clients send, and refuses misspelt fields, wrong types and what the API reference forbids, so a
// mistake in what Carbon sends fails a test instead of passing against a fake that takes anything.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CircleCiStandIn, STAND_IN_TOKEN } from '../helpers/circleci-api.ts';

let api: CircleCiStandIn;
let project: string;
let app: string;
let definition: string;
beforeEach(async () => {
  api = await new CircleCiStandIn().start();
  api.addProject('gh/acme/api', 'oauth');
  app = api.addProject('circleci/Org/Project', 'github-app').id;
  project = 'gh/acme/api';
  definition = api.addDefinitionByHand('circleci/Org/Project', {
    name: 'p',
    config_source: { provider: 'github_app', repo: { external_id: '100' }, file_path: 'c.yml' },
    checkout_source: { provider: 'github_app', repo: { external_id: '200' } },
  });
});
afterEach(() => api.close());

async function send(method: string, path: string, body: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { 'Circle-Token': STAND_IN_TOKEN, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const schedule = {
  name: 'nightly',
  description: 'x',
  'attribution-actor': 'system',
  parameters: { branch: 'main', carbon_schedule: 'nightly' },
  timetable: { 'per-hour': 1, 'hours-of-day': [2], 'days-of-week': ['MON'] },
};
// What the official Terraform provider's client sends (Go encoding of its trigger.Trigger).
const providerPush = {
  event_source: { provider: 'github_app', repo: { external_id: '200' } },
  event_preset: 'all-pushes',
  config_ref: 'main',
  disabled: false,
};
const providerSchedule = {
  checkout_ref: 'main',
  config_ref: 'main',
  event_source: {
    provider: 'schedule',
    schedule: { cron_expression: '0 2 * * *', attribution_actor: 'system' },
  },
  event_name: 'nightly-build',
  disabled: false,
  parameters: { 'carbon-sync': 'nightly' },
};

describe('the CircleCI stand-in', () => {
  it('takes what the API reference and the official clients send, answering with their status codes', async () => {
    expect((await send('POST', `/project/${project}/schedule`, schedule)).status).toBe(201);
    const triggers = `/projects/${app}/pipeline-definitions/${definition}/triggers`;
    expect((await send('POST', triggers, providerPush)).status).toBe(200);
    const created = await send('POST', triggers, providerSchedule);
    expect(created.status).toBe(200);
    expect(created.body['event_source']).toEqual({
      provider: 'schedule',
      schedule: { cron_expression: '0 2 * * *', attribution_actor: { id: expect.any(String) } },
    });
    expect(api.refused).toEqual([]);
  });

  it.each([
    [
      'a snake_case schedule field',
      { ...schedule, attribution_actor: 'system' },
      'must NOT have additional properties',
    ],
    [
      'a number as a string',
      { ...schedule, timetable: { ...schedule.timetable, 'per-hour': '1' } },
      'must be integer',
    ],
    [
      'both kinds of days',
      { ...schedule, timetable: { ...schedule.timetable, 'days-of-month': [1] } },
      'mutually exclusive',
    ],
    [
      'no branch',
      { ...schedule, parameters: { carbon_schedule: 'x' } },
      'must contain branch or tag',
    ],
    [
      'a day name CircleCI does not have',
      { ...schedule, timetable: { ...schedule.timetable, 'days-of-week': ['MONDAY'] } },
      'must be equal to one of the allowed values',
    ],
  ])('refuses a schedule with %s', async (_, body, message) => {
    const answer = await send('POST', `/project/${project}/schedule`, body);
    expect(answer.status).toBe(400);
    expect(answer.body['message']).toContain(message);
    expect(api.refused).toHaveLength(1);
  });

  it('refuses schedules for GitHub App projects, as the reference says', async () => {
    const answer = await send('POST', '/project/circleci/Org/Project/schedule', schedule);
    expect(answer).toEqual({
      status: 400,
      body: { message: 'Not yet available to projects that use GitLab or GitHub App.' },
    });
  });

  it.each([
    [
      'an id in a new pipeline',
      'POST',
      'definitions',
      {
        id: 'x',
        name: 'n',
        config_source: { provider: 'github_app', repo: { external_id: '1' }, file_path: 'f' },
        checkout_source: { provider: 'github_app', repo: { external_id: '2' } },
      },
      'must NOT have additional properties',
    ],
    [
      'a config repository in a pipeline update',
      'PATCH',
      'definition',
      { config_source: { repo: { external_id: '3' } } },
      'must NOT have additional properties',
    ],
    [
      'a repository id that is a number',
      'POST',
      'triggers',
      { ...providerPush, event_source: { provider: 'github_app', repo: { external_id: 200 } } },
      'must be string',
    ],
    [
      'an event name on a push trigger',
      'POST',
      'triggers',
      { ...providerPush, event_name: 'push' },
      'event_name is not expected',
    ],
    [
      'a checkout ref where the repository is the checkout source',
      'POST',
      'triggers',
      { ...providerPush, checkout_ref: 'main' },
      'checkout_ref must be omitted',
    ],
    [
      'no config ref where the config comes from another repository',
      'POST',
      'triggers',
      { ...providerPush, config_ref: undefined },
      'config_ref is required',
    ],
    [
      'a schedule trigger without its checkout ref',
      'POST',
      'triggers',
      { ...providerSchedule, checkout_ref: undefined },
      'checkout_ref is required',
    ],
    [
      'a cron with names',
      'POST',
      'triggers',
      {
        ...providerSchedule,
        event_source: {
          provider: 'schedule',
          schedule: { cron_expression: '0 2 * * MON', attribution_actor: 'system' },
        },
      },
      'invalid cron expression',
    ],
  ])('refuses %s', async (_, method, where, body, message) => {
    const paths: Record<string, string> = {
      definitions: `/projects/${app}/pipeline-definitions`,
      definition: `/projects/${app}/pipeline-definitions/${definition}`,
      triggers: `/projects/${app}/pipeline-definitions/${definition}/triggers`,
    };
    const answer = await send(method, paths[where]!, body);
    expect(answer.status).toBe(400);
    expect(answer.body['message']).toContain(message);
  });

  it('answers 401 without the right token, with the message CircleCI gives', async () => {
    const answer = await fetch(`${api.url}/me`, { headers: { 'Circle-Token': 'nope' } });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({ message: 'Invalid token provided.' });
  });
});
