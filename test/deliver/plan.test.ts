// Plans computed from what CircleCI holds: the smallest change that makes it match, in place
// when the API allows it and made again when it does not, duplicates and leftovers removed,
// what is not Carbon's never touched.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import type { ScheduleRead, TriggerRead } from '../../src/deliver/circleci/api.ts';
import { desiredState, type DesiredScope } from '../../src/deliver/desired.ts';
import { planGitHubApp, type AppCurrent } from '../../src/deliver/github-app.ts';
import { planOauth } from '../../src/deliver/oauth.ts';
import type { Schedule, ScheduleTrigger } from '../../src/emit/circleci.ts';
import { MONTHS } from '../../src/settings/cron.ts';
import { ME, SYSTEM_ACTOR } from '../helpers/circleci-api.ts';
import { configModule, projectModule, type Integration } from '../helpers/circleci-workspace.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

async function desiredScopes(
  integration: Integration,
  filter?: string,
  config = configModule(integration),
): Promise<DesiredScope[]> {
  const root = makeWorkspace({
    'carbon.config.ts': config,
    'projects/acme.ts': projectModule(),
  });
  const { workspace } = await compileSettings(root);
  return desiredState(workspace!, { pathPrefix: '', ...(filter ? { filter } : {}) }).scopes;
}

const me = { id: ME.id, login: ME.login };

describe('OAuth schedules', () => {
  let scope: DesiredScope;
  let wanted: Schedule[];
  beforeAll(async () => {
    scope = (await desiredScopes('oauth')).find((s) => s.slug === 'gh/acme/api')!;
    wanted = scope.repositories[0]!.schedules;
  });
  const held = (
    schedule: Schedule,
    id: string,
    changes: Partial<ScheduleRead> = {},
  ): ScheduleRead => ({
    id,
    name: schedule.name,
    description: schedule.description,
    timetable: schedule.timetable,
    parameters: schedule.parameters,
    actor: { id: SYSTEM_ACTOR.id, login: 'system' },
    ...changes,
  });
  const plan = (schedules: ScheduleRead[]) => planOauth(scope, { kind: 'found', schedules, me });

  it('leaves alone what matches, read back with its lists reordered and every month named', () => {
    const [first, second] = wanted;
    const groups = plan([
      held(first!, 'a', {
        timetable: {
          ...first!.timetable,
          'hours-of-day': [...first!.timetable['hours-of-day']].reverse(),
        },
      }),
      held(second!, 'b', {
        timetable: {
          ...second!.timetable,
          months: [...MONTHS],
        },
      }),
    ]);
    expect(groups).toEqual([
      expect.objectContaining({ changes: [], unchanged: [expect.any(String), expect.any(String)] }),
    ]);
  });

  it('updates in place what changed, sending the changed fields whole', () => {
    const [first, second] = wanted;
    const [group] = plan([
      held(first!, 'a', { timetable: { ...first!.timetable, 'hours-of-day': [2] } }),
      held(second!, 'b', { actor: { id: ME.id, login: ME.login } }),
    ]);
    expect(group!.changes.map((c) => [c.action, c.fields.map((f) => f.field), c.steps])).toEqual([
      [
        'update',
        ['timetable.hours-of-day'],
        [{ method: 'PATCH', path: '/schedule/a', body: { timetable: first!.timetable } }],
      ],
      [
        'update',
        ['attribution-actor'],
        [{ method: 'PATCH', path: '/schedule/b', body: { 'attribution-actor': 'system' } }],
      ],
    ]);
    expect(group!.changes[1]!.fields[0]).toEqual({
      field: 'attribution-actor',
      before: 'current',
      after: 'system',
    });
  });

  it('makes a schedule again when its timetable changes between days of the week and of the month', () => {
    const [first, second] = wanted;
    const [group] = plan([
      held(first!, 'a', {
        timetable: { 'per-hour': 1, 'hours-of-day': [0], 'days-of-month': [1] },
      }),
      held(second!, 'b'),
    ]);
    expect(group!.changes).toHaveLength(1);
    expect(group!.changes[0]).toMatchObject({
      action: 'replace',
      steps: [
        { method: 'DELETE', path: '/schedule/a' },
        { method: 'POST', path: '/project/gh/acme/api/schedule', body: first },
      ],
    });
  });

  it('deletes a second schedule of the same name and the schedules no rule makes, after making what is missing', () => {
    const [first] = wanted;
    const stale = { ...first!, name: 'carbon-sync-to-local-old' };
    const [group] = plan([held(first!, 'a'), held(first!, 'a2'), held(stale, 'c')]);
    expect(group!.changes.map((c) => [c.action, c.label, c.why])).toEqual([
      ['create', 'schedule "carbon-sync-to-origin-agency/release"', undefined],
      ['delete', 'schedule "carbon-sync-to-local-sync/develop"', 'a second schedule of this name'],
      ['delete', 'schedule "carbon-sync-to-local-old"', 'no sync rule makes it any more'],
    ]);
  });

  it("never touches what is not Carbon's, even with Carbon's name: a clash is a problem to solve by hand", () => {
    const [first, second] = wanted;
    const [group] = plan([
      held(first!, 'a', { description: 'copied by hand' }),
      held(second!, 'b'),
      held(second!, 'c', { name: 'carbon-sync-nightly', description: null }),
    ]);
    expect(group!.changes).toEqual([]);
    expect(group!.foreign).toEqual([
      'schedule "carbon-sync-to-local-sync/develop"',
      'schedule "carbon-sync-nightly"',
    ]);
    expect(group!.problems).toEqual([
      expect.stringContaining(
        'a schedule named "carbon-sync-to-local-sync/develop" exists that is not Carbon\'s',
      ),
    ]);
  });

  it('says which project is missing only for repositories that need it', async () => {
    // Without cascades, the carbon repository has no config, so no project need exist for it.
    const noCascades = configModule('oauth').replace("cascadeContext: 'carbon-circleci'", '');
    const scopes = await desiredScopes('oauth', undefined, noCascades);
    const carbon = scopes.find((s) => s.slug === 'gh/acme/carbon')!;
    expect(
      planOauth(carbon, { kind: 'missing', message: '404 Project not found' })[0]!.problems,
    ).toEqual([]);
    expect(
      planOauth(scope, { kind: 'missing', message: '404 Project not found' })[0]!.problems,
    ).toEqual([
      expect.stringContaining(
        'CircleCI has no project gh/acme/api that this token can see (404 Project not found)',
      ),
    ]);
  });
});

describe('GitHub App pipelines and triggers', () => {
  let scope: DesiredScope;
  beforeAll(async () => {
    scope = (await desiredScopes('github-app'))[0]!;
  });

  /** CircleCI holding exactly what the settings want, with ids; `edit` changes it first. */
  function held(
    edit: (definitions: AppCurrent & { kind: 'found' }) => void = () => {},
  ): AppCurrent {
    const current: AppCurrent & { kind: 'found' } = {
      kind: 'found',
      projectId: 'p',
      me,
      definitions: [],
    };
    for (const repository of scope.repositories) {
      if (!repository.pipeline) continue;
      const { body, triggers } = repository.pipeline;
      current.definitions.push({
        definition: { id: `def-${body.name}`, ...structuredClone(body) },
        triggers: triggers.map((trigger, index) => {
          const read = structuredClone(trigger) as unknown as TriggerRead & Record<string, unknown>;
          read.id = `${body.name}-t${index}`;
          if (read.event_source.schedule)
            read.event_source.schedule.attribution_actor = { id: SYSTEM_ACTOR.id };
          return read;
        }),
      });
    }
    edit(current);
    return current;
  }
  const api = (current: AppCurrent) => (current as AppCurrent & { kind: 'found' }).definitions[0]!;
  const changesOf = (current: AppCurrent) =>
    planGitHubApp(scope, current).flatMap((group) =>
      group.changes.map((change) => ({ group: group.title, ...change })),
    );

  it('leaves alone what matches, the attribution actor read back resolved', () => {
    expect(changesOf(held())).toEqual([]);
  });

  it('moves the config file in place, sending only what the API lets change', () => {
    const changes = changesOf(
      held((c) => (api(c).definition.config_source.file_path = 'old/config.yml')),
    );
    expect(changes.map((c) => [c.action, c.steps])).toEqual([
      [
        'update',
        [
          {
            method: 'PATCH',
            path: '/projects/p/pipeline-definitions/def-carbon-Api',
            body: { config_source: { file_path: 'generated/acme/Api/.circleci/config.yml' } },
          },
        ],
      ],
    ]);
  });

  it('makes the pipeline again, with its triggers, when its config repository changes', () => {
    const changes = changesOf(
      held((c) => (api(c).definition.config_source.repo = { external_id: '1' })),
    );
    expect(
      changes.map((c) => [c.action, c.kind, c.steps.map((s) => `${s.method} ${s.path}`)]),
    ).toEqual([
      [
        'replace',
        'pipeline',
        [
          'DELETE /projects/p/pipeline-definitions/def-carbon-Api',
          'POST /projects/p/pipeline-definitions',
        ],
      ],
      // The push trigger, the cross-repo trigger from the carbon repository, two schedules.
      ...['push', 'cross-repo', 'schedule', 'schedule'].map(() => [
        'create',
        'trigger',
        ['POST /projects/p/pipeline-definitions/{pipeline:carbon-Api}/triggers'],
      ]),
    ]);
  });

  it('changes a schedule trigger in place, its event source whole; a push trigger moved to another repository is made again', () => {
    const changes = changesOf(
      held((c) => {
        const [push, , schedule] = api(c).triggers;
        push!.event_source.repo = { external_id: '42' };
        schedule!.event_source.schedule!.cron_expression = '30 * * * *';
      }),
    );
    const wanted = scope.repositories[0]!.pipeline!.triggers[2] as ScheduleTrigger;
    // Pushes to another repository are a cross-repo trigger, which no link of the settings wants.
    expect(changes.map((c) => [c.action, c.label, c.why, c.steps])).toEqual([
      [
        'create',
        'push trigger',
        undefined,
        [
          {
            method: 'POST',
            path: '/projects/p/pipeline-definitions/def-carbon-Api/triggers',
            body: scope.repositories[0]!.pipeline!.triggers[0],
          },
        ],
      ],
      [
        'update',
        'schedule trigger "carbon-sync-to-local-sync/develop"',
        undefined,
        [
          {
            method: 'PATCH',
            path: '/projects/p/triggers/carbon-Api-t2',
            body: { event_source: wanted.event_source },
          },
        ],
      ],
      [
        'delete',
        'cross-repo trigger (pushes to GitHub repository 42)',
        'the build no longer checks that repository out, or build.rebuildOn leaves it out',
        [{ method: 'DELETE', path: '/projects/p/triggers/carbon-Api-t0' }],
      ],
    ]);
  });

  it("updates a cross-repo trigger's preset in place, and leaves one of another preset alone as not Carbon's", () => {
    const changes = changesOf(
      held((c) => {
        const cross = api(c).triggers[1]!;
        expect(cross.checkout_ref).toBe('develop');
        cross.event_preset = 'default-branch-pushes';
        api(c).triggers.push({ ...structuredClone(cross), id: 'tags', event_preset: 'only-tags' });
      }),
    );
    expect(changes.map((c) => [c.action, c.label, c.steps])).toEqual([
      [
        'update',
        'cross-repo trigger (pushes to Carbon develop)',
        [
          {
            method: 'PATCH',
            path: '/projects/p/triggers/carbon-Api-t1',
            body: { event_preset: 'all-pushes' },
          },
        ],
      ],
    ]);
    expect(
      planGitHubApp(
        scope,
        held((c) =>
          api(c).triggers.push({
            ...structuredClone(api(c).triggers[1]!),
            id: 'tags',
            event_preset: 'only-tags',
          }),
        ),
      )[0]!.foreign,
    ).toEqual(['github_app trigger "only-tags" on pipeline "carbon-Api"']);
  });

  it("lists a trigger on Carbon's pipeline that is not Carbon's, and deletes Carbon's schedule trigger no rule makes", () => {
    const groups = planGitHubApp(
      scope,
      held((c) => {
        const stale = {
          ...structuredClone(api(c).triggers[2]!),
          id: 'stale',
          event_name: 'carbon-sync-to-local-gone',
        };
        const manual = {
          ...structuredClone(api(c).triggers[2]!),
          id: 'manual',
          event_name: 'nightly',
        };
        api(c).triggers.push(stale, manual);
      }),
    );
    expect(groups[0]!.foreign).toEqual(['schedule trigger "nightly" on pipeline "carbon-Api"']);
    expect(groups[0]!.changes.map((c) => [c.action, c.label, c.steps[0]!.path])).toEqual([
      ['delete', 'schedule trigger "carbon-sync-to-local-gone"', '/projects/p/triggers/stale'],
    ]);
  });

  it("deletes Carbon's pipelines no repository has only when the plan covers every repository of the project", async () => {
    const orphan = (c: AppCurrent & { kind: 'found' }) =>
      c.definitions.push({
        definition: { ...structuredClone(api(c).definition), id: 'old', name: 'carbon-Gone' },
        triggers: [],
      });
    expect(changesOf(held(orphan)).map((c) => [c.action, c.label, c.group])).toEqual([
      ['delete', 'pipeline "carbon-Gone"', 'CircleCI project ' + scope.slug],
    ]);
    const [narrow] = await desiredScopes('github-app', 'acme/Web');
    expect(narrow!.ownsOrphans).toBe(false);
    expect(planGitHubApp(narrow!, held(orphan)).flatMap((group) => group.changes)).toEqual([]);
  });
});
