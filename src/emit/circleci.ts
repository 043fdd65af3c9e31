// The CircleCI shapes Carbon emits, as types of their own; the renderer only serializes them. Key
// order is the order of construction, so emitters build objects in the order they should read.
// (Type aliases rather than interfaces, so that they are plain data the renderer accepts.)
import type { Timetable } from '../settings/timetable.ts';
import type { YamlValue } from './yaml.ts';

export type Logic =
  { equal: [YamlValue, YamlValue] } | { not: Logic } | { and: Logic[] } | { or: Logic[] };

/** Legacy scheduled workflows' trigger filter. */
export type BranchFilters = { branches: { only: string } };

/** A job invocation in a workflow: `- carbon/CarbonBuild: { ...parameters }`. */
export type WorkflowJob = { [job: string]: { [parameter: string]: YamlValue } };

export type Workflow = {
  when?: Logic;
  triggers?: { schedule: { cron: string; filters: BranchFilters } }[];
  jobs: WorkflowJob[];
};

export type OrbReference = string | { [key: string]: YamlValue };

export type PipelineParameter = { type: 'string'; default: string; description: string };

export type Config = {
  version: 2.1;
  orbs: { [name: string]: OrbReference };
  parameters: { [name: string]: PipelineParameter };
  workflows: { [name: string]: Workflow };
};

/** A schedule as CircleCI's schedule API (POST /project/{slug}/schedule) takes it. */
export type Schedule = {
  name: string;
  description: string;
  'attribution-actor': 'system' | 'current';
  /** `branch` is the branch the pipeline runs on; the others are pipeline parameters. */
  parameters: { branch: string; [parameter: string]: string };
  timetable: Timetable;
};

/**
 * A schedule of a GitHub App project: a trigger of the pipeline definition, as CircleCI's trigger
 * API (POST /projects/{project_id}/pipeline-definitions/{id}/triggers) takes it. It runs the cron
 * itself (UTC), checks out `checkout_ref` and reads the config at `config_ref`.
 */
export type ScheduleTrigger = {
  event_name: string;
  event_source: {
    provider: 'schedule';
    schedule: { cron_expression: string; attribution_actor: 'system' | 'current' };
  };
  checkout_ref: string;
  config_ref: string;
  parameters: { [parameter: string]: string };
  disabled: false;
};
