// The environment step of a build (`build.provision`): what it resolves to, and the rules that hold
// for it. A hook leaves the image to the deploy; a CloudFormation stack owns it (it gets the image
// as its ImageUri parameter on every build and rolls the service itself), so a rollout after it
// would be a second owner.
import { error, quote, type Diagnostic } from '../diagnostics.ts';
import type { Build } from '../settings/schema.ts';
import { checkStackName } from '../settings/values.ts';
import { at, eachRepository, type Rule } from './context.ts';
import { conventionalStackName } from './links.ts';
import type { ProvisionPlan } from './model.ts';

export function resolveProvision(
  projectId: string,
  repositoryId: string,
  build: Build,
): ProvisionPlan | undefined {
  const provision = build.provision;
  if (provision?.hook !== undefined) return { kind: 'hook', hook: provision.hook };
  const stack = provision?.cloudformation;
  if (stack === undefined) return undefined;
  return {
    kind: 'cloudformation',
    template: stack.template,
    stack: stack.stack ?? conventionalStackName(projectId, repositoryId, build.branch),
    parameters: stack.parameters,
    capabilities: [...stack.capabilities],
  };
}

/** The stack name derived by convention must be one CloudFormation takes. */
export const derivedStackNameIsValid: Rule = (context) => {
  const found: Diagnostic[] = [];
  for (const { project, index, repository } of eachRepository(context)) {
    const build = repository.build;
    const stack = build?.provision?.cloudformation;
    if (!build || !stack || stack.stack !== undefined) continue;
    const derived = conventionalStackName(project.settings.id, repository.id, build.branch);
    const problem = checkStackName(derived);
    if (problem === undefined) continue;
    found.push(
      error(
        'invalid-derived-name',
        at(project, 'repositories', index, 'build', 'provision', 'cloudformation'),
        `the stack name derived by convention is invalid (${problem}): set build.provision.cloudformation.stack`,
      ),
    );
  }
  return found;
};

/**
 * A CloudFormation provision and an ECS rollout would both set the service's image: the stack's
 * task definition would no longer be what runs, and its next update would roll the image back.
 * (Normalization makes `none` the default with a stack: `ecs_service` here was written.)
 */
export const stackOwnsTheImage: Rule = (context) => {
  const found: Diagnostic[] = [];
  for (const { project, index, repository } of eachRepository(context)) {
    const build = repository.build;
    if (!build?.provision?.cloudformation || build.ecs.deploy !== 'ecs_service') continue;
    found.push(
      error(
        'provision-owns-image',
        at(project, 'repositories', index, 'build', 'ecs', 'deploy'),
        `deploy is ${quote('ecs_service')} but provision.cloudformation deploys the image (the ` +
          "stack's ImageUri parameter) and rolls the service itself: two owners of the image would " +
          `undo each other; remove deploy (with a stack it defaults to ${quote('none')}), or provision with a hook`,
      ),
    );
  }
  return found;
};

export const PROVISION_RULES: Rule[] = [derivedStackNameIsValid, stackOwnsTheImage];
