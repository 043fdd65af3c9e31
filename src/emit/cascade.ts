// The cascades of an OAuth project's config (see resolve/cascade.ts): after a push to a branch that
// others check out, CarbonCascade triggers their pipelines, with the token of the cascade context.
// On the repository's build branch it runs after the build, so a push that does not build does not
// rebuild others; on another branch (a carbon repository, a disabled build, a branch others check
// out but this repository does not build) it is the only job of a workflow of its own.
//
// Every pipeline a cascade starts carries `carbon_cascade`, and the job's filter wants it empty:
// a cascade never cascades.
import type { Cascade, ResolvedRepository } from '../resolve/model.ts';
import type { Config as Settings } from '../settings/schema.ts';
import type { PipelineParameter, WorkflowJob } from './circleci.ts';

/** The pipeline parameter that marks a pipeline a cascade started: what changed. */
export const CASCADE_PARAMETER = 'carbon_cascade';
export const CASCADE_JOB = 'CarbonCascade';

export const CASCADE_PARAMETER_DEFINITION: PipelineParameter = {
  type: 'string',
  default: '',
  description:
    'Set by the pipeline that triggered this one to what changed (a cascade); empty on pushes. A pipeline with it set triggers no others.',
};

/** The workflow of a cascade on a branch the repository does not build. */
export function cascadeWorkflowName(branch: string): string {
  return `carbon-cascade-${branch}`;
}

/**
 * Whether the config declares `carbon_cascade`: it triggers others (its job's filter reads it), or
 * its build is triggered with it.
 */
export function declaresCascade(repository: ResolvedRepository, settings: Settings): boolean {
  return (
    settings.circleci.integration === 'oauth' &&
    (repository.cascades.length > 0 || (repository.build?.rebuiltBy.length ?? 0) > 0)
  );
}

/** The CarbonCascade job of a branch's cascade; after the build job when `after` names it. */
export function cascadeJob(
  repository: ResolvedRepository,
  cascade: Cascade,
  settings: Settings,
  alias: string,
  after?: string,
): WorkflowJob {
  return {
    [`${alias}/${CASCADE_JOB}`]: {
      context: settings.circleci.cascadeContext!,
      ...(after ? { requires: [after] } : {}),
      filters: `pipeline.git.branch == "${cascade.branch}" and pipeline.parameters.${CASCADE_PARAMETER} == ""`,
      cascade_from: `${repository.projectId}/${repository.id}@${cascade.branch}`,
      dependents: cascade.dependents
        .map((dependent) => `${dependent.slug} ${dependent.branch}\n`)
        .join(''),
    },
  };
}
