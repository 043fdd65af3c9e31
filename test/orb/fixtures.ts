// AWS answers shaped like the documented responses (test/orb/fixtures/*.json), and builders for the
// describe-services answers of a rolling deployment.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rule } from './harness.ts';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export type FixtureName =
  | 'assume-role-with-web-identity'
  | 'batch-get-image'
  | 'create-repository'
  | 'describe-images'
  | 'describe-repositories'
  | 'describe-services'
  | 'describe-task-definition'
  | 'put-image'
  | 'register-task-definition';

/** A fresh copy of a fixture, safe to modify. */
export function fixture<T = Record<string, unknown>>(name: FixtureName): T {
  return JSON.parse(readFileSync(join(fixturesDir, `${name}.json`), 'utf8')) as T;
}

export type AwsErrorCode =
  | 'AccessDenied'
  | 'AccessDeniedException'
  | 'ImageAlreadyExistsException'
  | 'ImageNotFoundException'
  | 'RepositoryNotFoundException';

/** An answer that fails the way the AWS CLI v2 does: the message on stderr, exit status 254. */
export function awsError(code: AwsErrorCode): Pick<Rule, 'stderr' | 'exit'> {
  const errors = JSON.parse(readFileSync(join(fixturesDir, 'errors.json'), 'utf8')) as Record<
    AwsErrorCode,
    string
  >;
  return { stderr: errors[code], exit: 254 };
}

export interface Deployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  rolloutState?: 'COMPLETED' | 'IN_PROGRESS' | 'FAILED';
  rolloutStateReason?: string;
  [field: string]: unknown;
}

export interface ServiceEvent {
  id: string;
  createdAt: string;
  message: string;
}

export interface Service {
  taskDefinition: string;
  deploymentConfiguration: Record<string, unknown>;
  deployments: Deployment[];
  events: ServiceEvent[];
  [field: string]: unknown;
}

export interface DescribeServices {
  services: Service[];
  failures: { arn: string; reason: string; detail?: string }[];
}

export interface TaskDefinitionResponse {
  taskDefinition: Record<string, unknown> & {
    taskDefinitionArn: string;
    containerDefinitions: ({ name: string; image: string } & Record<string, unknown>)[];
  };
  tags?: { key: string; value: string }[];
}

export const oldTaskDefinition =
  'arn:aws:ecs:us-east-1:123456789012:task-definition/taxaroo-api:41';
export const newTaskDefinition =
  'arn:aws:ecs:us-east-1:123456789012:task-definition/taxaroo-api:42';

function deployment(fields: Partial<Deployment>): Deployment {
  const [base] = fixture<DescribeServices>('describe-services').services[0]!.deployments;
  return { ...base!, ...fields };
}

/** describe-services while the new deployment rolls out: the old one still serves. */
export function rollingServices(events: ServiceEvent[] = []): DescribeServices {
  const answer = fixture<DescribeServices>('describe-services');
  const service = answer.services[0]!;
  service.taskDefinition = newTaskDefinition;
  service.deployments = [
    deployment({
      id: 'ecs-svc/9036154872619038472',
      status: 'PRIMARY',
      taskDefinition: newTaskDefinition,
      runningCount: 1,
      pendingCount: 1,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'ECS deployment ecs-svc/9036154872619038472 in progress.',
      createdAt: '2025-03-12T14:06:03.441000+00:00',
    }),
    deployment({ status: 'ACTIVE' }),
  ];
  service.events = [...events, ...service.events];
  return answer;
}

/** describe-services once the new deployment completed. */
export function stableServices(): DescribeServices {
  const answer = rollingServices([
    {
      id: 'd4c3b2a1-0f9e-48d7-a6c5-b4a39281706f',
      createdAt: '2025-03-12T14:09:15.902000+00:00',
      message: '(service taxaroo-api) has reached a steady state.',
    },
  ]);
  const service = answer.services[0]!;
  service.deployments = [
    { ...service.deployments[0]!, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' },
  ];
  return answer;
}
