// The request bodies the CircleCI stand-in accepts, as JSON schemas, each closed
// (additionalProperties: false) so that a misspelt or invented field fails the test that sends
// it. Written from CircleCI's API v2 reference (openapi.json, copy of 2025-10-17 in
// circleci/circleci-docs: createSchedule, updateSchedule, createPipelineDefinitionRequest,
// updatePipelineDefinitionRequest, createTrigger, updateTrigger, triggerPipeline's
// TriggerPipelineParameters) and, where the reference lags
// behind the live API, from CircleCI's official Terraform provider (v0.4.x, internal/circleci/
// trigger and common/models.go: schedule triggers with event_source.schedule and parameters).
// Cross-field rules the schemas cannot say are in circleci-api.ts.

const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const uniqueList = (items: object) => ({ type: 'array', items, minItems: 1, uniqueItems: true });

const timetable = {
  type: 'object',
  additionalProperties: false,
  properties: {
    'per-hour': { type: 'integer', minimum: 1, maximum: 60 },
    'hours-of-day': uniqueList({ type: 'integer', minimum: 0, maximum: 23 }),
    'days-of-week': uniqueList({ enum: DAYS }),
    'days-of-month': uniqueList({ type: 'integer', minimum: 1, maximum: 31 }),
    months: uniqueList({ enum: MONTHS }),
  },
};

const parameters = {
  type: 'object',
  additionalProperties: { type: ['string', 'integer', 'boolean'] },
};

const scheduleFields = {
  name: { type: 'string', minLength: 1 },
  description: { type: ['string', 'null'] },
  'attribution-actor': { enum: ['current', 'system'] },
  parameters,
  timetable,
};

export const createSchedule = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'timetable', 'attribution-actor', 'parameters'],
  properties: {
    ...scheduleFields,
    timetable: { ...timetable, required: ['per-hour', 'hours-of-day'] },
  },
};

export const updateSchedule = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: scheduleFields,
};

const githubId = { type: 'string', pattern: '^[1-9][0-9]*$' };
const repo = {
  type: 'object',
  additionalProperties: false,
  required: ['external_id'],
  properties: { external_id: githubId },
};
const checkoutSource = {
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'repo'],
  properties: { provider: { const: 'github_app' }, repo },
};

export const createPipelineDefinition = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'config_source', 'checkout_source'],
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    config_source: {
      type: 'object',
      additionalProperties: false,
      required: ['provider', 'repo', 'file_path'],
      properties: { provider: { const: 'github_app' }, repo, file_path: { type: 'string' } },
    },
    checkout_source: checkoutSource,
  },
};

export const updatePipelineDefinition = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    config_source: {
      type: 'object',
      additionalProperties: false,
      required: ['file_path'],
      properties: { file_path: { type: 'string' } },
    },
    checkout_source: checkoutSource,
  },
};

const PRESETS = [
  'all-pushes',
  'only-tags',
  'default-branch-pushes',
  'only-build-prs',
  'only-open-prs',
  'only-labeled-prs',
  'only-merged-prs',
  'only-ready-for-review-prs',
  'only-branch-delete',
  'only-build-pushes-to-non-draft-prs',
  'only-merged-or-closed-prs',
  'pr-comment-equals-run-ci',
  'non-draft-pr-opened',
  'pushes-to-merge-queues',
];

const eventSource = {
  type: 'object',
  additionalProperties: false,
  required: ['provider'],
  properties: {
    provider: { enum: ['github_app', 'github_server', 'webhook', 'schedule'] },
    repo,
    webhook: {
      type: 'object',
      additionalProperties: false,
      properties: { sender: { type: 'string' } },
    },
    schedule: {
      type: 'object',
      additionalProperties: false,
      required: ['cron_expression', 'attribution_actor'],
      properties: {
        cron_expression: { type: 'string' },
        attribution_actor: { enum: ['system', 'current'] },
      },
    },
  },
};

const triggerFields = {
  event_source: eventSource,
  event_preset: { enum: PRESETS },
  event_name: { type: 'string', minLength: 1 },
  checkout_ref: { type: 'string', minLength: 1 },
  config_ref: { type: 'string', minLength: 1 },
  disabled: { type: 'boolean' },
  parameters,
};

export const createTrigger = {
  type: 'object',
  additionalProperties: false,
  required: ['event_source'],
  properties: triggerFields,
};

export const updateTrigger = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: triggerFields,
};

/**
 * POST /project/{project-slug}/pipeline (triggerPipeline, TriggerPipelineParameters): what the
 * cascade job of OAuth projects sends. Its limits (100 parameters, keys of 128 characters, values
 * of 512) and that branch and tag exclude each other are rules of circleci-store.ts.
 */
export const triggerPipeline = {
  type: 'object',
  additionalProperties: false,
  properties: {
    branch: { type: 'string', minLength: 1 },
    tag: { type: 'string', minLength: 1 },
    parameters,
  },
};
