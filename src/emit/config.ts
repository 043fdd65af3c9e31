// The CircleCI config of one repository: a build workflow calling the strategy's orb job on pushes
// to the build branch, one workflow per sync rule calling CarbonSync on its schedule, and (OAuth
// projects) the cascades that rebuild what checks the repository out (cascade.ts).
//
// Workflows are chosen by one string pipeline parameter, CircleCI's documented pattern for
// scheduled pipelines: every schedule sets it to the name of its sync, a push leaves it empty.
// Pipeline values such as `pipeline.trigger_source` (deprecated) or `pipeline.schedule.name`
// (absent in GitHub App projects) are not used: without them a schedule on the build branch could
// never start a build, and a sync never runs where its schedule name is unknown.
import { createHash } from 'node:crypto';
import type { BuildPlan, Checkout, ResolvedRepository, SyncPlan } from '../resolve/model.ts';
import type { Config as Settings } from '../settings/schema.ts';
import type { Config, Logic, OrbReference, Workflow, WorkflowJob } from './circleci.ts';
import { provisionParameters } from './provision.ts';
import type { YamlValue } from './yaml.ts';
import {
  CASCADE_PARAMETER,
  CASCADE_PARAMETER_DEFINITION,
  cascadeJob,
  cascadeWorkflowName,
  declaresCascade,
} from './cascade.ts';

/** The name configs know the orb by: jobs are `carbon/CarbonBuild`, `carbon/CarbonSync`. */
export const ORB_ALIAS = 'carbon';
export const BUILD_WORKFLOW = 'carbon-build';
/** The pipeline parameter a schedule sets to the name of the sync it runs. */
export const SCHEDULE_PARAMETER = 'carbon_schedule';

const scheduleIs = (name: string): Logic => ({
  equal: [name, `<< pipeline.parameters.${SCHEDULE_PARAMETER} >>`],
});

/** Whether a repository gets a config at all: an enabled build, a sync rule or a cascade. */
export function needsConfig(repository: ResolvedRepository): boolean {
  return (
    Boolean(repository.build?.enabled) ||
    repository.syncs.length > 0 ||
    repository.cascades.length > 0
  );
}

export function repositoryConfig(
  repository: ResolvedRepository,
  settings: Settings,
  orb: OrbReference,
): Config {
  const workflows: Config['workflows'] = {};
  const build = repository.build?.enabled ? repository.build : undefined;
  if (build) workflows[BUILD_WORKFLOW] = buildWorkflow(repository, build, settings);
  for (const cascade of repository.cascades) {
    if (cascade.branch === build?.branch) {
      const after = `${ORB_ALIAS}/${build.job}`;
      workflows[BUILD_WORKFLOW]!.jobs.push(
        cascadeJob(repository, cascade, settings, ORB_ALIAS, after),
      );
    } else {
      workflows[cascadeWorkflowName(cascade.branch)] = {
        when: scheduleIs(''),
        jobs: [cascadeJob(repository, cascade, settings, ORB_ALIAS)],
      };
    }
  }
  for (const sync of repository.syncs)
    workflows[sync.name] = syncWorkflow(repository, sync, settings);
  const parameters: Config['parameters'] = {
    [SCHEDULE_PARAMETER]: {
      type: 'string',
      default: '',
      description:
        'Set by each Carbon schedule to the name of the sync workflow it runs; empty on pushes, which run the build.',
    },
  };
  if (declaresCascade(repository, settings))
    parameters[CASCADE_PARAMETER] = CASCADE_PARAMETER_DEFINITION;
  return { version: 2.1, orbs: { [ORB_ALIAS]: orb }, parameters, workflows };
}

/** CircleCI takes a serial group of at most this many characters. */
export const SERIAL_GROUP_MAX = 512;

/**
 * The serial group of a build: deploys of one ECS service (of one stack, when a stack deploys)
 * run one at a time, in order. A name too long for CircleCI keeps its beginning and ends with the
 * SHA-256 of the whole, so that it stays readable and unique.
 */
export function serialGroup(build: BuildPlan): string {
  const { accountId, region } = build.aws;
  const target =
    build.provision?.kind === 'cloudformation'
      ? `cloudformation/${build.provision.stack}`
      : `${build.deploy.cluster}/${build.deploy.service}`;
  const group = `carbon-deploy/${accountId}/${region}/${target}`;
  if (group.length <= SERIAL_GROUP_MAX) return group;
  const hash = createHash('sha256').update(group).digest('hex');
  return `${group.slice(0, SERIAL_GROUP_MAX - hash.length - 1)}-${hash}`;
}

function buildWorkflow(
  repository: ResolvedRepository,
  build: BuildPlan,
  settings: Settings,
): Workflow {
  const parameters: { [key: string]: YamlValue } = {
    context: settings.circleci.context,
    filters: `pipeline.git.branch == "${build.branch}"`,
    'serial-group': serialGroup(build),
    project: repository.projectId,
    repository: repository.id,
    carbon_repository: build.carbon.repository,
    carbon_repository_url: build.carbon.url,
    carbon_branch: build.carbon.branch,
  };
  if (build.carbon.sshKey) parameters['carbon_ssh_key_fingerprint'] = build.carbon.sshKey;
  if (build.linked.length > 0) parameters['linked_checkouts'] = build.linked.map(cloneStep);
  Object.assign(parameters, {
    aws_region: build.aws.region,
    aws_account_id: build.aws.accountId,
    aws_role_arn: build.aws.roleArn,
    ecr_repository: build.image.ecrRepository,
    dockerfile: build.image.dockerfile,
    docker_context: build.image.context,
    deploy: build.deploy.mode,
  });
  // A provision hook is given the ECS names too, as the deploy hook is.
  if (build.deploy.mode !== 'none' || build.provision?.kind === 'hook') {
    Object.assign(parameters, {
      ecs_cluster: build.deploy.cluster,
      ecs_service: build.deploy.service,
      ecs_container: build.deploy.container,
    });
  }
  if (build.deploy.hook !== undefined) parameters['deploy_hook'] = build.deploy.hook;
  Object.assign(parameters, provisionParameters(build));
  // A scheduled pipeline (the parameter set) never builds, whatever branch it runs on.
  return { when: scheduleIs(''), jobs: [job(build.job, parameters)] };
}

function cloneStep(checkout: Checkout): YamlValue {
  const parameters: { [key: string]: YamlValue } = {
    url: checkout.url,
    branch: checkout.branch,
    path: checkout.path,
  };
  if (checkout.sshKey) parameters['ssh_key_fingerprint'] = checkout.sshKey;
  return { [`${ORB_ALIAS}/clone`]: parameters };
}

function syncWorkflow(
  repository: ResolvedRepository,
  sync: SyncPlan,
  settings: Settings,
): Workflow {
  // Syncs use no AWS: they get the sync context only when one is configured (for an https token).
  const parameters: { [key: string]: YamlValue } = {};
  if (settings.circleci.syncContext !== undefined)
    parameters['context'] = settings.circleci.syncContext;
  Object.assign(parameters, {
    source_url: sync.from.url,
    source_branch: sync.from.branch,
    target_url: sync.to.url,
    target_branch: sync.to.branch,
  });
  if (sync.from.sshKey) parameters['source_ssh_key_fingerprint'] = sync.from.sshKey;
  if (sync.to.sshKey) parameters['target_ssh_key_fingerprint'] = sync.to.sshKey;
  const jobs = [job('CarbonSync', parameters)];
  if (settings.circleci.scheduling === 'scheduled-workflows') {
    // Legacy scheduled workflows run on the branch the filter names: the mirror's default branch,
    // whose config holds this workflow.
    return {
      triggers: [
        {
          schedule: {
            cron: sync.cron,
            filters: { branches: { only: repository.local.defaultBranch } },
          },
        },
      ],
      jobs,
    };
  }
  return { when: scheduleIs(sync.name), jobs };
}

function job(name: string, parameters: { [key: string]: YamlValue }): WorkflowJob {
  return { [`${ORB_ALIAS}/${name}`]: parameters };
}
