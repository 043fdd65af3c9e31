// The endpoints of CircleCI's API v2 that Carbon uses, with the shapes it sends and reads. Request
// bodies follow the API reference (openapi.json: createSchedule, updateSchedule,
// createPipelineDefinition, updatePipelineDefinition, createTrigger, updateTrigger) and the
// official Terraform provider's client (CircleCI-Public/terraform-provider-circleci 0.4.x), which also sends what the reference lacks: schedule
// triggers (`event_source.schedule`) and their `parameters`. The bodies Carbon sends are type
// aliases, not interfaces, so that they are Json as they are: a plan lists their fields.
import type { ScheduleTrigger } from '../../emit/circleci.ts';
import type { Timetable } from '../../settings/timetable.ts';
import {
  CREATED,
  PIPELINE_DEFINITION,
  PROJECT,
  SCHEDULE,
  TRIGGER,
  USER,
  list,
  object,
  optional,
  string,
  type Shape,
} from './answers.ts';
import { ApiError, type Http, type Method } from './http.ts';

export type Scalar = string | number | boolean;

/** GET /project/{project-slug} */
export interface ProjectRead {
  id: string;
  slug: string;
  name: string;
}

/** GET /me: the token's user, who `current` attributes schedules to. */
export interface UserRead {
  id: string;
  login: string;
}

/** A schedule as the schedule API returns it (kebab-case, like its requests). */
export interface ScheduleRead {
  id: string;
  name: string;
  description: string | null;
  timetable: Timetable;
  parameters: Record<string, Scalar>;
  /** Whom the scheduled pipelines are attributed to: `system`'s actor, or a user. */
  actor: { id: string; login?: string };
}

export interface RepoRef {
  external_id: string;
  full_name?: string;
}

/** POST /projects/{project_id}/pipeline-definitions */
export type PipelineDefinitionBody = {
  name: string;
  description: string;
  config_source: { provider: 'github_app'; repo: { external_id: string }; file_path: string };
  checkout_source: { provider: 'github_app'; repo: { external_id: string } };
};

/** PATCH …/pipeline-definitions/{id}: the config source's repository cannot change. */
export interface PipelineDefinitionPatch {
  name?: string;
  description?: string;
  config_source?: { file_path: string };
  checkout_source?: { provider: 'github_app'; repo: { external_id: string } };
}

export interface PipelineDefinitionRead {
  id: string;
  name: string;
  description?: string;
  config_source: { provider: string; repo?: Partial<RepoRef>; file_path?: string };
  checkout_source: { provider: string; repo?: Partial<RepoRef> };
}

/**
 * The push trigger of a GitHub App pipeline: pushes to the repository run the pipeline (the config
 * filters which branches build). `config_ref` only when the config lives in another repository.
 */
export type PushTriggerBody = {
  event_source: { provider: 'github_app'; repo: { external_id: string } };
  event_preset: 'all-pushes';
  config_ref?: string;
  disabled: false;
};

/**
 * A cross-repo trigger (a cascade): pushes to another repository, one the build checks out, run the
 * pipeline, which checks out its own repository at `checkout_ref` and reads its config at
 * `config_ref` (omitted when the event source is the config's repository).
 */
export type CrossRepoTriggerBody = {
  event_source: { provider: 'github_app'; repo: { external_id: string } };
  event_preset: 'all-pushes' | 'default-branch-pushes';
  checkout_ref: string;
  config_ref?: string;
  disabled: false;
};

export type TriggerBody = PushTriggerBody | CrossRepoTriggerBody | ScheduleTrigger;

export function isScheduleTrigger(trigger: TriggerBody): trigger is ScheduleTrigger {
  return trigger.event_source.provider === 'schedule';
}

/** Only a cross-repo trigger has a checkout ref of the GitHub App's triggers Carbon makes. */
export function isCrossRepoTrigger(trigger: TriggerBody): trigger is CrossRepoTriggerBody {
  return trigger.event_source.provider === 'github_app' && 'checkout_ref' in trigger;
}

export interface TriggerRead {
  id: string;
  event_name?: string;
  event_preset?: string;
  checkout_ref?: string;
  config_ref?: string;
  disabled?: boolean;
  parameters?: Record<string, Scalar>;
  event_source: {
    provider: string;
    repo?: Partial<RepoRef>;
    /** The attribution actor comes back resolved: `{ id }`, not the alias sent. */
    schedule?: { cron_expression?: string; attribution_actor?: { id?: string } | string };
  };
}

const segment = encodeURIComponent;
/** A project slug keeps its `/` (CircleCI answers 404 to `%2F`); each part is escaped. */
const slugPath = (slug: string) => slug.split('/').map(segment).join('/');

/** The paths of the endpoints, below the API root. */
export const PATHS = {
  me: () => '/me',
  project: (slug: string) => `/project/${slugPath(slug)}`,
  schedules: (slug: string) => `/project/${slugPath(slug)}/schedule`,
  schedule: (id: string) => `/schedule/${segment(id)}`,
  definitions: (projectId: string) => `/projects/${segment(projectId)}/pipeline-definitions`,
  definition: (projectId: string, id: string) =>
    `/projects/${segment(projectId)}/pipeline-definitions/${segment(id)}`,
  /** The definition id may be a `{pipeline:NAME}` placeholder of a plan: kept as written. */
  triggers: (projectId: string, definitionId: string) =>
    `/projects/${segment(projectId)}/pipeline-definitions/${definitionId.startsWith('{') ? definitionId : segment(definitionId)}/triggers`,
  trigger: (projectId: string, id: string) =>
    `/projects/${segment(projectId)}/triggers/${segment(id)}`,
};

export class CircleCiApi {
  private me: Promise<UserRead> | undefined;
  private readonly http: Http;

  constructor(http: Http) {
    this.http = http;
  }

  /** The token's user, asked once. */
  currentUser(): Promise<UserRead> {
    const path = PATHS.me();
    this.me ??= this.call('GET', path).then((body) => checked<UserRead>(body, USER, 'GET', path));
    return this.me;
  }

  async project(slug: string): Promise<ProjectRead> {
    const path = PATHS.project(slug);
    return checked<ProjectRead>(await this.call('GET', path), PROJECT, 'GET', path);
  }

  schedules(slug: string): Promise<ScheduleRead[]> {
    return this.pages<ScheduleRead>(PATHS.schedules(slug), SCHEDULE);
  }

  pipelineDefinitions(projectId: string): Promise<PipelineDefinitionRead[]> {
    return this.pages(PATHS.definitions(projectId), PIPELINE_DEFINITION);
  }

  triggers(projectId: string, definitionId: string): Promise<TriggerRead[]> {
    return this.pages(PATHS.triggers(projectId, definitionId), TRIGGER);
  }

  /** Any request of the plan: its path and body were made by the plan from the shapes above. */
  async send(method: Exclude<Method, 'GET'>, path: string, body?: unknown): Promise<unknown> {
    return this.call(method, path, body);
  }

  /** A request that makes an object; resolves with the id CircleCI gave it. */
  async create(method: Exclude<Method, 'GET'>, path: string, body?: unknown): Promise<string> {
    return checked<{ id: string }>(await this.call(method, path, body), CREATED, method, path).id;
  }

  private call(method: Method, path: string, body?: unknown): Promise<unknown> {
    return this.http.request(method, path, body);
  }

  /**
   * Every item of a list, following `next_page_token` (the schedule list pages; the pipeline
   * definition and trigger lists have no token today, and are read the same way should they).
   */
  private async pages<T>(path: string, item: Shape): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let token: string | null | undefined;
    do {
      const url = token ? `${path}?page-token=${encodeURIComponent(token)}` : path;
      const page = checked<{ items: T[]; next_page_token?: string | null }>(
        await this.call('GET', url),
        object({ items: list(item), next_page_token: optional(string) }),
        'GET',
        path,
      );
      items.push(...page.items);
      token = page.next_page_token;
      // A token seen before would loop for ever.
      if (token && seen.has(token))
        throw new ApiError('unexpected answer from CircleCI: a page token repeats', 'GET', path);
      if (token) seen.add(token);
    } while (token);
    return items;
  }
}

/** The answer, when it has the shape Carbon reads; else an error naming what is wrong in it. */
function checked<T>(body: unknown, shape: Shape, method: Method, path: string): T {
  const problem = shape(body, '');
  if (problem !== undefined)
    throw new ApiError(`unexpected answer from CircleCI: ${problem}`, method, path);
  return body as T;
}
