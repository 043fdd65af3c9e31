// What Carbon may touch in CircleCI: objects it made, and only those. A schedule or a pipeline
// definition is Carbon's when its name has Carbon's prefix and its description Carbon's marker; a
// trigger (which has neither name nor description) when it hangs off Carbon's pipeline definition
// and is one of the two kinds Carbon makes there: a schedule named with the prefix, or the push
// trigger of the preset Carbon uses. Everything else is listed as not Carbon's and left alone.
import { MANAGED_MARKER } from '../emit/emit.ts';
import {
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

/** The identity of a trigger on Carbon's pipeline definition, or undefined when it is not Carbon's. */
export function carbonTriggerKey(trigger: TriggerRead): string | undefined {
  const provider = trigger.event_source.provider;
  if (provider === 'schedule' && (trigger.event_name ?? '').startsWith(CARBON_PREFIX))
    return trigger.event_name;
  if (provider === 'github_app' && trigger.event_preset === 'all-pushes') return PUSH_KEY;
  return undefined;
}

/** The key of the push trigger: there is one per pipeline, whatever its repository. */
export const PUSH_KEY = 'pushes';

/** The identity of a trigger Carbon wants, as carbonTriggerKey says it of one that exists. */
export function triggerKey(trigger: TriggerBody): string {
  return isScheduleTrigger(trigger) ? trigger.event_name : PUSH_KEY;
}
