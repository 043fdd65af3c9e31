// What Carbon may touch in CircleCI: objects it made, and only those. A schedule or a pipeline
// definition is Carbon's when its name has Carbon's prefix and its description Carbon's marker; a
// trigger (which has neither name nor description) when it hangs off Carbon's pipeline definition
// and is one of the kinds Carbon makes there: a schedule named with the prefix, the push trigger
// of the preset Carbon uses, or a cross-repo trigger (pushes to another repository) of the presets
// cascades use. Everything else is listed as not Carbon's and left alone.
import { MANAGED_MARKER } from '../emit/emit.ts';
import {
  isCrossRepoTrigger,
  isScheduleTrigger,
  type PipelineDefinitionRead,
  type ScheduleRead,
  type TriggerBody,
  type TriggerRead,
} from './circleci/api.ts';

/** The prefix of the names of Carbon's objects; sync names (`carbon-sync-to-…`) have it too. */
export const CARBON_PREFIX = 'carbon-';

const marked = (name: string, description: string | null | undefined) =>
  name.startsWith(CARBON_PREFIX) && (description ?? '').includes(MANAGED_MARKER);

export function isCarbonSchedule(schedule: ScheduleRead): boolean {
  return marked(schedule.name, schedule.description);
}

export function isCarbonPipeline(definition: PipelineDefinitionRead): boolean {
  return marked(definition.name, definition.description);
}

/**
 * The identity of a trigger on Carbon's pipeline definition (which checks out the repository of
 * GitHub id `checkoutId`), or undefined when it is not Carbon's.
 */
export function carbonTriggerKey(trigger: TriggerRead, checkoutId: string): string | undefined {
  const provider = trigger.event_source.provider;
  if (provider === 'schedule' && (trigger.event_name ?? '').startsWith(CARBON_PREFIX))
    return trigger.event_name;
  if (provider !== 'github_app') return undefined;
  const source = trigger.event_source.repo?.external_id;
  if (source !== undefined && source !== checkoutId)
    return CROSS_REPO_PRESETS.includes(trigger.event_preset ?? '')
      ? crossRepoKey(source)
      : undefined;
  return trigger.event_preset === 'all-pushes' ? PUSH_KEY : undefined;
}

/** The key of the push trigger: there is one per pipeline. */
export const PUSH_KEY = 'pushes';

/** The presets of the cross-repo triggers Carbon makes (cross-repo.ts). */
const CROSS_REPO_PRESETS = ['all-pushes', 'default-branch-pushes'];

/** The key of the cross-repo trigger from a repository: there is one per repository a build checks out. */
export const crossRepoKey = (githubId: string) => `cascade-${githubId}`;

/** The identity of a trigger Carbon wants, as carbonTriggerKey says it of one that exists. */
export function triggerKey(trigger: TriggerBody): string {
  if (isScheduleTrigger(trigger)) return trigger.event_name;
  return isCrossRepoTrigger(trigger)
    ? crossRepoKey(trigger.event_source.repo.external_id)
    : PUSH_KEY;
}
