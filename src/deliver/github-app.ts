// GitHub App projects: a CircleCI project holds pipeline definitions. Carbon owns one per
// repository with a config, named `carbon-<repository id>`, reading the config from the workspace
// repository and checking out the repository, and its triggers: pushes (when the repository
// builds), cross-repo triggers from what its build checks out (cross-repo.ts) and the schedules
// schedules.yml lists.
import {
  PATHS,
  type CircleCiApi,
  type PipelineDefinitionRead,
  type TriggerBody,
  type TriggerRead,
  type UserRead,
  type PipelineDefinitionPatch,
} from './circleci/api.ts';
import { isNotFound } from './circleci/http.ts';
import {
  actorAlias,
  byKey,
  changedTopLevel,
  createdFields,
  missingProject,
  scopeGroups,
  fieldChanges,
  type Change,
  type Json,
  type PlanGroup,
  type Step,
} from './changes.ts';
import type { DesiredRepository, DesiredScope } from './desired.ts';
import {
  CARBON_PREFIX,
  PUSH_KEY,
  carbonTriggerKey,
  crossRepoKey,
  isCarbonPipeline,
  triggerKey,
} from './ownership.ts';

interface Definition {
  definition: PipelineDefinitionRead;
  /** Read for Carbon's definitions only. */
  triggers: TriggerRead[];
}

export type AppCurrent =
  | { kind: 'missing'; message: string }
  | { kind: 'found'; projectId: string; definitions: Definition[]; me?: UserRead };

export async function readGitHubApp(api: CircleCiApi, slug: string): Promise<AppCurrent> {
  let projectId: string;
  try {
    projectId = (await api.project(slug)).id;
  } catch (caught) {
    if (isNotFound(caught)) return { kind: 'missing', message: caught.message };
    throw caught;
  }
  const definitions = await Promise.all(
    (await api.pipelineDefinitions(projectId)).map(async (definition) => ({
      definition,
      triggers: isCarbonPipeline(definition) ? await api.triggers(projectId, definition.id) : [],
    })),
  );
  const scheduled = definitions.some(({ triggers }) =>
    triggers.some((trigger) => trigger.event_source.provider === 'schedule'),
  );
  const me = scheduled ? await api.currentUser() : undefined;
  return { kind: 'found', projectId, definitions, ...(me ? { me } : {}) };
}

export function planGitHubApp(scope: DesiredScope, current: AppCurrent): PlanGroup[] {
  if (current.kind === 'missing') return missingProject(scope, current.message);
  const { groups, rest, finish } = scopeGroups(scope);
  // The token's user is read only when a schedule trigger is there to compare its actor with.
  const base = { projectId: current.projectId, me: current.me ?? { id: '', login: '' } };
  const context: Context = { ...base, checkout: '', crossRepo: {} };
  const carbon = byKey(
    current.definitions.filter(({ definition }) => isCarbonPipeline(definition)),
    ({ definition }) => definition.name,
  );
  const foreign = current.definitions.filter(({ definition }) => !isCarbonPipeline(definition));
  const attributed = new Set<Definition>();
  scope.repositories.forEach((repository, index) => {
    const group = groups[index]!;
    const [kept, ...duplicates] = carbon.get(repository.pipelineName) ?? [];
    carbon.delete(repository.pipelineName);
    if (!repository.pipeline) {
      for (const old of [kept, ...duplicates].filter((d) => d !== undefined))
        group.changes.push(
          removePipeline(context.projectId, old, 'the repository has no config any more'),
        );
      return;
    }
    const checkout = repository.pipeline.body.checkout_source.repo.external_id;
    for (const other of foreign)
      if (other.definition.checkout_source.repo?.external_id === checkout) {
        attributed.add(other);
        group.foreign.push(
          `${pipelineLabel(other.definition.name)} (it checks out this repository too)`,
        );
      }
    planPipeline(group, repository, kept, {
      ...base,
      checkout,
      crossRepo: repository.pipeline.crossRepo,
    });
    for (const duplicate of duplicates)
      group.changes.push(
        removePipeline(context.projectId, duplicate, 'a second pipeline of this name'),
      );
  });
  // Carbon's pipelines of repositories that are gone from the settings.
  if (scope.ownsOrphans)
    for (const definitions of carbon.values())
      for (const old of definitions)
        rest.changes.push(
          removePipeline(context.projectId, old, 'no repository of the settings has it any more'),
        );
  for (const other of foreign)
    if (!attributed.has(other)) rest.foreign.push(pipelineLabel(other.definition.name));
  return finish();
}

const pipelineLabel = (name: string) => `pipeline ${JSON.stringify(name)}`;

interface Context {
  projectId: string;
  me: UserRead;
  /** Of the pipeline being planned: the GitHub id of the repository it checks out. */
  checkout: string;
  /** Of the pipeline being planned: what its wanted cross-repo triggers rebuild on, by key. */
  crossRepo: Record<string, string>;
}

function planPipeline(
  group: PlanGroup,
  repository: DesiredRepository,
  kept: Definition | undefined,
  context: Context,
): void {
  const { body, triggers } = repository.pipeline!;
  const label = pipelineLabel(body.name);
  const placeholder = `{pipeline:${body.name}}`;
  const create: Step = {
    method: 'POST',
    path: PATHS.definitions(context.projectId),
    body,
    defines: body.name,
  };
  if (!kept) {
    group.changes.push({
      action: 'create',
      kind: 'pipeline',
      label,
      fields: createdFields(body),
      steps: [create],
    });
    for (const trigger of triggers)
      group.changes.push(createTrigger(trigger, placeholder, context));
    return;
  }
  const id = kept.definition.id;
  const fields = fieldChanges(body, comparablePipeline(kept.definition));
  // The config source's repository cannot be PATCHed: a new workspace repository means a new
  // pipeline, and its triggers with it.
  if (
    fields.some(
      (field) =>
        field.field.startsWith('config_source.') && field.field !== 'config_source.file_path',
    )
  ) {
    group.changes.push({
      action: 'replace',
      kind: 'pipeline',
      label,
      fields,
      why: `its config repository changes, which CircleCI cannot update in place; its ${kept.triggers.length} trigger(s) go with it`,
      steps: [{ method: 'DELETE', path: PATHS.definition(context.projectId, id) }, create],
    });
    for (const trigger of triggers)
      group.changes.push(createTrigger(trigger, placeholder, context));
    return;
  }
  if (fields.length > 0) {
    // The config source's repository cannot change in place: only its file path is sent.
    const { config_source: source, ...rest } = changedTopLevel(body, fields);
    const patch: PipelineDefinitionPatch = {
      ...rest,
      ...(source ? { config_source: { file_path: source.file_path } } : {}),
    };
    group.changes.push({
      action: 'update',
      kind: 'pipeline',
      label,
      fields,
      steps: [{ method: 'PATCH', path: PATHS.definition(context.projectId, id), body: patch }],
    });
  } else group.unchanged.push(label);
  planTriggers(group, repository.pipeline!, kept, context);
}

function planTriggers(
  group: PlanGroup,
  pipeline: NonNullable<DesiredRepository['pipeline']>,
  kept: Definition,
  context: Context,
): void {
  const keyOf = (trigger: TriggerRead) => carbonTriggerKey(trigger, context.checkout);
  const existing = byKey(kept.triggers, keyOf);
  for (const trigger of kept.triggers)
    if (keyOf(trigger) === undefined)
      group.foreign.push(`${foreignTriggerLabel(trigger)} on ${pipelineLabel(pipeline.body.name)}`);
  for (const trigger of pipeline.triggers) {
    const key = triggerKey(trigger);
    const [current, ...duplicates] = existing.get(key) ?? [];
    existing.delete(key);
    if (!current) group.changes.push(createTrigger(trigger, kept.definition.id, context));
    else {
      const change = triggerChange(trigger, current, kept.definition.id, context);
      if (change) group.changes.push(change);
      else group.unchanged.push(triggerLabel(trigger, context));
    }
    for (const duplicate of duplicates)
      group.changes.push(removeTrigger(duplicate, context, 'a second trigger of this kind'));
  }
  for (const [key, stale] of existing)
    for (const trigger of stale)
      group.changes.push(removeTrigger(trigger, context, STALE[kindOf(key)]));
}

/** Why Carbon's trigger of each kind goes when nothing wants it any more. */
const STALE = {
  schedule: 'no sync rule makes it any more',
  push: 'the repository does not build any more',
  'cross-repo': 'the build no longer checks that repository out, or build.rebuildOn leaves it out',
};

function kindOf(key: string): keyof typeof STALE {
  return key === PUSH_KEY ? 'push' : key.startsWith(CARBON_PREFIX) ? 'schedule' : 'cross-repo';
}

function triggerLabel(trigger: TriggerBody | TriggerRead, context: Context): string {
  if (trigger.event_source.provider === 'schedule')
    return `schedule trigger ${JSON.stringify((trigger as { event_name?: string }).event_name)}`;
  const source = (trigger as TriggerRead).event_source;
  const id = source.repo?.external_id ?? '';
  if (id === context.checkout) return 'push trigger';
  const words =
    context.crossRepo[crossRepoKey(id)] ??
    `pushes to ${source.repo?.full_name ?? `GitHub repository ${id}`}`;
  return `cross-repo trigger (${words})`;
}

function foreignTriggerLabel(trigger: TriggerRead): string {
  const what = trigger.event_name ?? trigger.event_preset ?? trigger.id;
  return `${trigger.event_source.provider} trigger ${JSON.stringify(what)}`;
}

function createTrigger(trigger: TriggerBody, definition: string, context: Context): Change {
  return {
    action: 'create',
    kind: 'trigger',
    label: triggerLabel(trigger, context),
    fields: createdFields(trigger),
    steps: [{ method: 'POST', path: PATHS.triggers(context.projectId, definition), body: trigger }],
  };
}

function removeTrigger(trigger: TriggerRead, context: Context, why: string): Change {
  return {
    action: 'delete',
    kind: 'trigger',
    label: triggerLabel(trigger, context),
    fields: [],
    why,
    steps: [{ method: 'DELETE', path: PATHS.trigger(context.projectId, trigger.id) }],
  };
}

function removePipeline(projectId: string, old: Definition, why: string): Change {
  return {
    action: 'delete',
    kind: 'pipeline',
    label: pipelineLabel(old.definition.name),
    fields: [],
    why,
    steps: [{ method: 'DELETE', path: PATHS.definition(projectId, old.definition.id) }],
  };
}

/** What can be PATCHed in place; the rest (provider, repository) makes a new trigger. */
const PATCHABLE = [
  'checkout_ref',
  'config_ref',
  'parameters',
  'disabled',
  'event_preset',
  'event_source.schedule',
];

function triggerChange(
  wanted: TriggerBody,
  current: TriggerRead,
  definitionId: string,
  context: Context,
): Change | undefined {
  const fields = fieldChanges(wanted, comparableTrigger(wanted, current, context.me));
  if (fields.length === 0) return undefined;
  const label = triggerLabel(wanted, context);
  const inPlace = fields.every(
    (field) =>
      field.after !== undefined &&
      PATCHABLE.some((path) => field.field === path || field.field.startsWith(`${path}.`)),
  );
  if (!inPlace) {
    return {
      action: 'replace',
      kind: 'trigger',
      label,
      fields,
      why: 'what changes cannot be updated in place',
      steps: [
        { method: 'DELETE', path: PATHS.trigger(context.projectId, current.id) },
        ...createTrigger(wanted, definitionId, context).steps,
      ],
    };
  }
  // Top-level fields go whole: a schedule's event source as the official provider sends it.
  const patch = changedTopLevel(wanted, fields);
  return {
    action: 'update',
    kind: 'trigger',
    label,
    fields,
    steps: [{ method: 'PATCH', path: PATHS.trigger(context.projectId, current.id), body: patch }],
  };
}

/** A pipeline definition read back, in the shape it is written in. */
function comparablePipeline(definition: PipelineDefinitionRead): Json {
  const repo = (side: { repo?: { external_id?: string } }) => ({
    external_id: side.repo?.external_id ?? null,
  });
  return {
    name: definition.name,
    description: definition.description ?? '',
    config_source: {
      provider: definition.config_source.provider,
      repo: repo(definition.config_source),
      file_path: definition.config_source.file_path ?? '',
    },
    checkout_source: {
      provider: definition.checkout_source.provider,
      repo: repo(definition.checkout_source),
    },
  };
}

/** A trigger read back, in the shape Carbon writes that kind in. */
function comparableTrigger(wanted: TriggerBody, current: TriggerRead, me: UserRead): Json {
  const disabled = current.disabled ?? false;
  if (wanted.event_source.provider === 'github_app')
    return {
      event_source: {
        provider: current.event_source.provider,
        repo: { external_id: current.event_source.repo?.external_id ?? '' },
      },
      event_preset: current.event_preset ?? '',
      ...(current.checkout_ref ? { checkout_ref: current.checkout_ref } : {}),
      ...(current.config_ref ? { config_ref: current.config_ref } : {}),
      disabled,
    };
  const actor = current.event_source.schedule?.attribution_actor;
  return {
    event_name: current.event_name ?? '',
    event_source: {
      provider: current.event_source.provider,
      schedule: {
        cron_expression: current.event_source.schedule?.cron_expression ?? '',
        // CircleCI answers the actor it resolved the alias to; an alias is kept as it is.
        attribution_actor: typeof actor === 'string' ? actor : actorAlias(actor?.id, me),
      },
    },
    checkout_ref: current.checkout_ref ?? '',
    config_ref: current.config_ref ?? '',
    parameters: { ...(current.parameters ?? {}) },
    disabled,
  };
}
