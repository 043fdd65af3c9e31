// The state and the rules of the CircleCI stand-in (circleci-api.ts): OAuth projects' schedules and
// the pipelines started through the API, GitHub App projects' pipeline definitions and triggers, each request body checked against the
// closed schemas of circleci-schemas.ts and against the cross-field rules of CircleCI's API
// reference and its Terraform provider (written out below). It answers as the API does: create a
// schedule 201, a definition or a trigger 200, lists with `items` (schedules paged by
// next_page_token), a trigger's attribution actor read back as `{id}`, errors `{"message": ...}`.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import * as schemas from './circleci-schemas.ts';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as typeof import('ajv').default;
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validators: Record<keyof typeof schemas, ValidateFunction> = Object.fromEntries(
  Object.entries(schemas).map(([name, schema]) => [name, ajv.compile(schema)]),
) as never;

export const ME = {
  id: '5a2b8c1e-3f4d-4e6a-9b7c-1d2e3f4a5b6c',
  login: 'agency-bot',
  name: 'Agency Bot',
};
export const SYSTEM_ACTOR = {
  id: '00000000-0000-4000-8000-000000000001',
  login: 'system',
  name: 'Scheduled',
};

type Json = Record<string, unknown>;

/** A pipeline started through the API (triggerPipeline): what it was started with. */
export interface TriggeredPipeline {
  id: string;
  number: number;
  branch?: string;
  tag?: string;
  parameters: Record<string, unknown>;
}

interface Project {
  id: string;
  slug: string;
  kind: 'oauth' | 'github-app';
  schedules: Map<string, Json>;
  pipelines: TriggeredPipeline[];
  definitions: Map<string, Json>;
  /** Trigger id -> trigger, with the id of its definition. */
  triggers: Map<string, { definition: string; trigger: Json }>;
}

export class Refusal extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class CircleCiStore {
  /** Items per page of the schedule list. */
  pageSize = 2;
  /** Requests it refused as malformed, or to endpoints it does not serve. */
  readonly refused: { request: string; message: string }[] = [];
  private readonly projects = new Map<string, Project>();

  addProject(slug: string, kind: Project['kind']): { id: string } {
    const project: Project = {
      id: randomUUID(),
      slug,
      kind,
      schedules: new Map(),
      pipelines: [],
      definitions: new Map(),
      triggers: new Map(),
    };
    this.projects.set(slug, project);
    return { id: project.id };
  }

  schedules(slug: string): Json[] {
    return [...this.project(slug).schedules.values()];
  }

  /** The pipelines started through the API in a project, in order. */
  pipelines(slug: string): TriggeredPipeline[] {
    return [...this.project(slug).pipelines];
  }

  definitions(slug: string): Json[] {
    return [...this.project(slug).definitions.values()];
  }

  triggers(slug: string, definitionName?: string): Json[] {
    const project = this.project(slug);
    return [...project.triggers.values()]
      .filter(
        ({ definition }) =>
          definitionName === undefined ||
          project.definitions.get(definition)?.['name'] === definitionName,
      )
      .map(({ trigger }) => this.triggerRead(trigger));
  }

  /** A schedule made by hand in CircleCI's web app, as the API would hold it. */
  addScheduleByHand(slug: string, schedule: Json): void {
    this.storeSchedule(this.project(slug), schedule);
  }

  /** A pipeline definition (and triggers) made by hand. */
  addDefinitionByHand(slug: string, definition: Json, triggers: Json[] = []): string {
    const project = this.project(slug);
    const stored = this.storeDefinition(project, definition);
    for (const trigger of triggers) this.storeTrigger(project, stored['id'] as string, trigger);
    return stored['id'] as string;
  }

  private project(slug: string): Project {
    const project = this.projects.get(slug);
    if (!project) throw new Error(`stand-in: no project ${slug}`);
    return project;
  }

  protected refuse(status: number, message: string, request: string): Refusal {
    this.refused.push({ request, message });
    return new Refusal(status, message);
  }

  private check(name: keyof typeof validators, body: unknown, request: string): Json {
    const validate = validators[name];
    if (!validate(body))
      throw this.refuse(
        400,
        `Unexpected request body provided: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`,
        request,
      );
    return body as Json;
  }

  protected route(method: string, path: string, body: unknown): [number, unknown] {
    const request = `${method} ${path}`;
    const [pathname, query = ''] = path.split('?') as [string, string?];
    const params = new URLSearchParams(query);
    const SEG = '([^/]+)';
    const SLUG = '([^/]+/[^/]+/[^/]+)';
    const routes: [string, string, (...match: string[]) => [number, unknown]][] = [
      ['GET', '/me', () => [200, { ...ME, avatar_url: null }]],
      ['GET', `/project/${SLUG}`, (slug) => [200, this.projectRead(this.bySlug(slug))]],
      [
        'GET',
        `/project/${SLUG}/schedule`,
        (slug) => [200, this.listSchedules(this.bySlug(slug), params)],
      ],
      [
        'POST',
        `/project/${SLUG}/schedule`,
        (slug) => [201, this.createSchedule(this.bySlug(slug), body, request)],
      ],
      [
        'POST',
        `/project/${SLUG}/pipeline`,
        (slug) => [201, this.triggerPipeline(this.bySlug(slug), body, request)],
      ],
      ['GET', `/schedule/${SEG}`, (id) => [200, this.scheduleById(id).schedule]],
      ['PATCH', `/schedule/${SEG}`, (id) => [200, this.updateSchedule(id, body, request)]],
      ['DELETE', `/schedule/${SEG}`, (id) => [200, this.deleteSchedule(id)]],
      [
        'GET',
        `/projects/${SEG}/pipeline-definitions`,
        (project) => [200, { items: [...this.byId(project).definitions.values()] }],
      ],
      [
        'POST',
        `/projects/${SEG}/pipeline-definitions`,
        (project) => [
          200,
          this.storeDefinition(
            this.byId(project),
            this.check('createPipelineDefinition', body, request),
          ),
        ],
      ],
      [
        'GET',
        `/projects/${SEG}/pipeline-definitions/${SEG}`,
        (project, id) => [200, this.definition(project, id)],
      ],
      [
        'PATCH',
        `/projects/${SEG}/pipeline-definitions/${SEG}`,
        (project, id) => [200, this.updateDefinition(project, id, body, request)],
      ],
      [
        'DELETE',
        `/projects/${SEG}/pipeline-definitions/${SEG}`,
        (project, id) => [200, this.deleteDefinition(project, id)],
      ],
      [
        'GET',
        `/projects/${SEG}/pipeline-definitions/${SEG}/triggers`,
        (project, id) => [200, { items: this.listTriggers(project, id) }],
      ],
      [
        'POST',
        `/projects/${SEG}/pipeline-definitions/${SEG}/triggers`,
        (project, id) => [200, this.createTrigger(project, id, body, request)],
      ],
      [
        'GET',
        `/projects/${SEG}/triggers/${SEG}`,
        (project, id) => [200, this.triggerRead(this.trigger(project, id).trigger)],
      ],
      [
        'PATCH',
        `/projects/${SEG}/triggers/${SEG}`,
        (project, id) => [200, this.updateTrigger(project, id, body, request)],
      ],
      [
        'DELETE',
        `/projects/${SEG}/triggers/${SEG}`,
        (project, id) => [200, this.deleteTrigger(project, id)],
      ],
    ];
    for (const [verb, pattern, handle] of routes) {
      const match = new RegExp(`^${pattern}$`).exec(pathname);
      if (verb === method && match) return handle(...match.slice(1).map(decodeURIComponent));
    }
    throw this.refuse(404, 'Not found', request);
  }

  private deleteSchedule(id: string): Json {
    const { project } = this.scheduleById(id);
    this.refuseGitHubApp(project);
    project.schedules.delete(id);
    return { message: 'Schedule deleted.' };
  }

  private deleteDefinition(projectId: string, id: string): Json {
    const project = this.byId(projectId);
    this.definition(projectId, id);
    project.definitions.delete(id);
    // Its triggers go with it.
    for (const [trigger, { definition }] of project.triggers)
      if (definition === id) project.triggers.delete(trigger);
    return { message: 'Pipeline definition deleted.' };
  }

  private listTriggers(projectId: string, id: string): Json[] {
    const project = this.byId(projectId);
    this.definition(projectId, id);
    return [...project.triggers.values()]
      .filter(({ definition }) => definition === id)
      .map(({ trigger }) => this.triggerRead(trigger));
  }

  private createTrigger(projectId: string, id: string, body: unknown, request: string): Json {
    const project = this.byId(projectId);
    const trigger = this.check('createTrigger', body, request);
    this.checkTrigger(this.definition(projectId, id), trigger, request);
    return this.triggerRead(this.storeTrigger(project, id, trigger));
  }

  private deleteTrigger(projectId: string, id: string): Json {
    this.trigger(projectId, id);
    this.byId(projectId).triggers.delete(id);
    return { message: 'Trigger deleted.' };
  }

  private bySlug(slug: string): Project {
    const project = this.projects.get(slug);
    if (!project) throw new Refusal(404, 'Project not found');
    return project;
  }

  private byId(id: string): Project {
    const project = [...this.projects.values()].find((candidate) => candidate.id === id);
    if (!project) throw new Refusal(404, 'Project does not exist.');
    return project;
  }

  private projectRead(project: Project): Json {
    const [vcs, org, name] = project.slug.split('/');
    return {
      slug: project.slug,
      name,
      id: project.id,
      organization_name: org,
      organization_slug: `${vcs}/${org}`,
      organization_id: '3ddcf1d1-7f5f-4139-8cef-71ad0921a968',
      vcs_info: {
        vcs_url: `https://github.com/${org}/${name}`,
        provider: 'GitHub',
        default_branch: 'main',
      },
    };
  }

  // Pipelines started through the API (OAuth projects: a cascade's triggers).

  private triggerPipeline(project: Project, body: unknown, request: string): Json {
    const wanted = this.check('triggerPipeline', body ?? {}, request);
    if (project.kind === 'github-app')
      throw this.refuse(
        400,
        'Triggering pipelines of projects integrated with GitHub App needs the pipeline run endpoint.',
        request,
      );
    if ('branch' in wanted && 'tag' in wanted)
      throw this.refuse(400, 'branch and tag are mutually exclusive.', request);
    const parameters = (wanted['parameters'] ?? {}) as Record<string, unknown>;
    const entries = Object.entries(parameters);
    if (
      entries.length > 100 ||
      entries.some(([key, value]) => key.length > 128 || String(value).length > 512)
    )
      throw this.refuse(400, 'Pipeline parameters exceed the size limits.', request);
    const pipeline: TriggeredPipeline = {
      id: randomUUID(),
      number: project.pipelines.length + 1,
      ...(typeof wanted['branch'] === 'string' ? { branch: wanted['branch'] } : {}),
      ...(typeof wanted['tag'] === 'string' ? { tag: wanted['tag'] } : {}),
      parameters,
    };
    project.pipelines.push(pipeline);
    return {
      id: pipeline.id,
      state: 'pending',
      number: pipeline.number,
      created_at: new Date().toISOString(),
    };
  }

  // Schedules (OAuth projects).

  private refuseGitHubApp(project: Project): void {
    if (project.kind === 'github-app')
      throw new Refusal(400, 'Not yet available to projects that use GitLab or GitHub App.');
  }

  private listSchedules(project: Project, params: URLSearchParams): Json {
    const all = [...project.schedules.values()];
    const start = params.has('page-token')
      ? Number(Buffer.from(params.get('page-token')!, 'base64url').toString())
      : 0;
    if (!Number.isInteger(start) || start < 0 || start > all.length)
      throw new Refusal(400, 'Invalid page token.');
    const end = start + this.pageSize;
    return {
      items: all.slice(start, end),
      next_page_token: end < all.length ? Buffer.from(String(end)).toString('base64url') : null,
    };
  }

  private createSchedule(project: Project, body: unknown, request: string): Json {
    this.refuseGitHubApp(project);
    const schedule = this.check('createSchedule', body, request);
    this.checkScheduleRules(project, schedule, undefined, request);
    return this.storeSchedule(project, schedule);
  }

  private storeSchedule(project: Project, written: Json): Json {
    const now = new Date().toISOString();
    const stored: Json = {
      id: randomUUID(),
      name: written['name'],
      description: written['description'] ?? null,
      timetable: written['timetable'],
      parameters: written['parameters'],
      'project-slug': project.slug,
      actor: actorOf(written['attribution-actor']),
      'created-at': now,
      'updated-at': now,
    };
    project.schedules.set(stored['id'] as string, stored);
    return stored;
  }

  private scheduleById(id: string): { project: Project; schedule: Json } {
    for (const project of this.projects.values()) {
      const schedule = project.schedules.get(id);
      if (schedule) return { project, schedule };
    }
    throw new Refusal(404, 'Schedule not found.');
  }

  private updateSchedule(id: string, body: unknown, request: string): Json {
    const { project, schedule } = this.scheduleById(id);
    this.refuseGitHubApp(project);
    const patch = this.check('updateSchedule', body, request);
    // A timetable sent whole replaces the old one (the reference does not say; Carbon sends
    // timetables whole and makes a schedule again when its kind of days changes).
    const next: Json = { ...schedule };
    for (const key of ['name', 'description', 'timetable', 'parameters'] as const)
      if (key in patch) next[key] = patch[key];
    if ('attribution-actor' in patch) next['actor'] = actorOf(patch['attribution-actor']);
    this.checkScheduleRules(project, next, id, request);
    next['updated-at'] = new Date().toISOString();
    project.schedules.set(id, next);
    return next;
  }

  private checkScheduleRules(
    project: Project,
    schedule: Json,
    id: string | undefined,
    request: string,
  ): void {
    const timetable = schedule['timetable'] as Json;
    if ('days-of-week' in timetable === 'days-of-month' in timetable)
      throw this.refuse(
        400,
        'Timetable must have days-of-week or days-of-month, which are mutually exclusive.',
        request,
      );
    const parameters = schedule['parameters'] as Json;
    if (!('branch' in parameters) && !('tag' in parameters))
      throw this.refuse(400, 'Parameters must contain branch or tag.', request);
    for (const [other, existing] of project.schedules)
      if (other !== id && existing['name'] === schedule['name'])
        throw this.refuse(
          400,
          `A schedule named ${String(schedule['name'])} already exists in this project.`,
          request,
        );
  }

  // Pipeline definitions and triggers (GitHub App projects).

  private storeDefinition(project: Project, written: Json): Json {
    if (project.kind !== 'github-app')
      throw new Refusal(400, 'Pipeline definitions need a GitHub App project.');
    const withName = (side: Json) => ({
      ...side,
      repo: {
        ...(side['repo'] as Json),
        full_name: `agency/repository-${(side['repo'] as Json)['external_id']}`,
      },
    });
    const stored: Json = {
      id: randomUUID(),
      name: written['name'],
      description: written['description'] ?? '',
      created_at: new Date().toISOString(),
      config_source: withName(written['config_source'] as Json),
      checkout_source: withName(written['checkout_source'] as Json),
    };
    project.definitions.set(stored['id'] as string, stored);
    return stored;
  }

  private definition(projectId: string, id: string): Json {
    const definition = this.byId(projectId).definitions.get(id);
    if (!definition) throw new Refusal(404, 'Pipeline definition not found.');
    return definition;
  }

  private updateDefinition(projectId: string, id: string, body: unknown, request: string): Json {
    const definition = this.definition(projectId, id);
    const patch = this.check('updatePipelineDefinition', body, request);
    const next: Json = { ...definition };
    if ('name' in patch) next['name'] = patch['name'];
    if ('description' in patch) next['description'] = patch['description'];
    if ('config_source' in patch)
      next['config_source'] = {
        ...(definition['config_source'] as Json),
        ...(patch['config_source'] as Json),
      };
    if ('checkout_source' in patch) {
      const source = patch['checkout_source'] as Json;
      const external = (source['repo'] as Json)['external_id'];
      next['checkout_source'] = {
        ...source,
        repo: { external_id: external, full_name: `agency/repository-${external}` },
      };
    }
    this.byId(projectId).definitions.set(id, next);
    return next;
  }

  /** The provider-specific rules of createTrigger (reference and Terraform provider). */
  private checkTrigger(definition: Json, trigger: Json, request: string): void {
    const source = trigger['event_source'] as Json;
    const provider = source['provider'];
    const fail = (message: string) => this.refuse(400, message, request);
    if (provider === 'github_app') {
      if (!source['repo'])
        throw fail('event_source.repo must be specified when provider is github_app');
      if (!trigger['event_preset'])
        throw fail('event_preset is required when provider is github_app');
      for (const field of ['event_name', 'parameters'] as const)
        if (field in trigger) throw fail(`${field} is not expected when provider is github_app`);
      if (source['schedule']) throw fail('event_source.schedule is only for provider schedule');
      const eventRepo = (source['repo'] as Json)['external_id'];
      for (const [ref, side] of [
        ['checkout_ref', 'checkout_source'],
        ['config_ref', 'config_source'],
      ] as const) {
        const sourceRepo = ((definition[side] as Json)['repo'] as Json)['external_id'];
        if (eventRepo === sourceRepo && ref in trigger)
          throw fail(
            `${ref} must be omitted: the event source repository is the ${side} repository`,
          );
        if (eventRepo !== sourceRepo && !(ref in trigger))
          throw fail(
            `${ref} is required: the event source repository differs from the ${side} repository`,
          );
      }
    } else if (provider === 'schedule') {
      for (const field of ['event_name', 'checkout_ref', 'config_ref'] as const)
        if (!trigger[field]) throw fail(`${field} is required when provider is schedule`);
      if (!source['schedule'])
        throw fail('event_source.schedule is required when provider is schedule');
      if (source['repo'] || trigger['event_preset'])
        throw fail('event_source.repo and event_preset are not expected when provider is schedule');
      const cron = (source['schedule'] as Json)['cron_expression'] as string;
      if (!validCron(cron)) throw fail(`invalid cron expression ${JSON.stringify(cron)}`);
    } else {
      throw fail(`stand-in: ${String(provider)} triggers are not modelled`);
    }
  }

  private storeTrigger(project: Project, definition: string, written: Json): Json {
    const trigger: Json = { ...written, id: randomUUID(), created_at: new Date().toISOString() };
    project.triggers.set(trigger['id'] as string, { definition, trigger });
    return trigger;
  }

  private trigger(projectId: string, id: string): { definition: string; trigger: Json } {
    const found = this.byId(projectId).triggers.get(id);
    if (!found) throw new Refusal(404, 'Trigger not found.');
    return found;
  }

  private updateTrigger(projectId: string, id: string, body: unknown, request: string): Json {
    const project = this.byId(projectId);
    const found = this.trigger(projectId, id);
    const patch = this.check('updateTrigger', body, request);
    const current = found.trigger;
    const source = current['event_source'] as Json;
    const patchSource = patch['event_source'] as Json | undefined;
    if (patchSource) {
      if (patchSource['provider'] !== source['provider'])
        throw this.refuse(400, 'event_source.provider cannot be changed', request);
      if (
        patchSource['repo'] &&
        JSON.stringify(patchSource['repo']) !== JSON.stringify(source['repo'])
      )
        throw this.refuse(400, 'event_source.repo cannot be changed', request);
    }
    if ('parameters' in patch && source['provider'] !== 'schedule')
      throw this.refuse(400, 'parameters is only valid for schedule triggers', request);
    const next: Json = {
      ...current,
      ...patch,
      event_source: patchSource ? { ...source, ...patchSource } : source,
    };
    this.checkTrigger(this.definition(projectId, found.definition), stripIds(next), request);
    project.triggers.set(id, { definition: found.definition, trigger: next });
    return this.triggerRead(next);
  }

  /** A trigger as the API answers it: the attribution actor resolved to `{id}`, repos named. */
  private triggerRead(trigger: Json): Json {
    const source = trigger['event_source'] as Json;
    const read: Json = { ...trigger, event_source: { ...source } };
    const schedule = source['schedule'] as Json | undefined;
    if (schedule)
      (read['event_source'] as Json)['schedule'] = {
        cron_expression: schedule['cron_expression'],
        attribution_actor: { id: actorOf(schedule['attribution_actor'])['id'] },
      };
    const repo = source['repo'] as Json | undefined;
    if (repo)
      (read['event_source'] as Json)['repo'] = {
        ...repo,
        full_name: `agency/repository-${repo['external_id']}`,
      };
    return read;
  }
}

function stripIds(trigger: Json): Json {
  const { id: _id, created_at: _created, ...rest } = trigger;
  return rest;
}

function actorOf(alias: unknown): Json {
  return alias === 'current' ? { ...ME, avatar_url: null } : { ...SYSTEM_ACTOR, avatar_url: null };
}

/** Five numeric fields within their ranges: `*`, lists, ranges and steps (the provider's validator). */
function validCron(cron: string): boolean {
  const fields = cron.trim().split(/\s+/);
  const ranges: [number, number][] = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 7],
  ];
  if (fields.length !== 5) return false;
  return fields.every((field, index) =>
    field.split(',').every((part) => {
      const [range, step] = part.split('/');
      if (step !== undefined && !/^[1-9]\d*$/.test(step)) return false;
      if (range === '*') return true;
      const [low, high] = range!.split('-');
      const [min, max] = ranges[index]!;
      const ok = (text: string | undefined) =>
        text !== undefined && /^\d+$/.test(text) && +text >= min && +text <= max;
      return ok(low) && (high === undefined || (ok(high) && +high >= +low!));
    }),
  );
}
