// The CircleCI config of one repository: a build workflow calling the strategy's orb job on pushes
// to the build branch, and one workflow per sync rule calling CarbonSync on its schedule.
import type { BuildPlan, Checkout, ResolvedRepository, SyncPlan } from '../resolve/model.ts';
import type { Config as Settings } from '../settings/schema.ts';
import type { Config, Logic, OrbReference, Workflow, WorkflowJob } from './circleci.ts';
import type { YamlValue } from './yaml.ts';

/** The name configs know the orb by: jobs are `carbon/CarbonBuild`, `carbon/CarbonSync`. */
export const ORB_ALIAS = 'carbon';
export const BUILD_WORKFLOW = 'carbon-build';

const SCHEDULED: Logic = { equal: ['scheduled_pipeline', '<< pipeline.trigger_source >>'] };

/** Whether a repository gets a config at all: an enabled build or a sync rule. */
export function needsConfig(repository: ResolvedRepository): boolean {
  return Boolean(repository.build?.enabled) || repository.syncs.length > 0;
}

export function repositoryConfig(
  repository: ResolvedRepository,
  settings: Settings,
  orb: OrbReference,
): Config {
  const workflows: Config['workflows'] = {};
  const build = repository.build;
  if (build?.enabled) workflows[BUILD_WORKFLOW] = buildWorkflow(repository, build, settings);
  for (const sync of repository.syncs)
    workflows[sync.name] = syncWorkflow(repository, sync, settings);
  return { version: 2.1, orbs: { [ORB_ALIAS]: orb }, workflows };
}

function buildWorkflow(
  repository: ResolvedRepository,
  build: BuildPlan,
  settings: Settings,
): Workflow {
  const parameters: { [key: string]: YamlValue } = {
    context: settings.circleci.context,
    filters: { branches: { only: build.branch } },
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
  if (build.deploy.mode !== 'none') {
    Object.assign(parameters, {
      ecs_cluster: build.deploy.cluster,
      ecs_service: build.deploy.service,
      ecs_container: build.deploy.container,
    });
  }
  if (build.deploy.hook !== undefined) parameters['deploy_hook'] = build.deploy.hook;
  // A scheduled pipeline runs every workflow whose `when` allows it: builds never run on one.
  return { when: { not: SCHEDULED }, jobs: [job(build.job, parameters)] };
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
  const parameters: { [key: string]: YamlValue } = {
    context: settings.circleci.context,
    source_url: sync.from.url,
    source_branch: sync.from.branch,
    target_url: sync.to.url,
    target_branch: sync.to.branch,
  };
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
  return {
    when: { and: [SCHEDULED, { equal: [sync.name, '<< pipeline.schedule.name >>'] }] },
    jobs,
  };
}

function job(name: string, parameters: { [key: string]: YamlValue }): WorkflowJob {
  return { [`${ORB_ALIAS}/${name}`]: parameters };
}
