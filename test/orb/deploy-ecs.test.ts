// deploy-ecs.sh through the recording aws fake.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceModel, type Shape } from '../helpers/aws-models.ts';
import { awsCalls, createSandbox, scriptsDir, type Rule } from './harness.ts';
import {
  fixture,
  newTaskDefinition,
  oldTaskDefinition,
  rollingServices,
  stableServices,
  type DescribeServices,
  type TaskDefinitionResponse,
} from './fixtures.ts';

const newImage =
  '123456789012.dkr.ecr.us-east-1.amazonaws.com/taxaroo-api:inputs-0d3f5a8c2b1e4d6f8a9c0b1d2e3f4a5b';
const env = {
  CARBON_ECS_CLUSTER: 'taxaroo-develop',
  CARBON_ECS_SERVICE: 'taxaroo-api',
  CARBON_ECS_CONTAINER: 'api',
  CARBON_AWS_REGION: 'us-east-1',
  CARBON_IMAGE_URI: newImage,
  CARBON_POLL_INTERVAL: '0.01',
  CARBON_DEPLOY_TIMEOUT: '20',
};
const describeServices = [
  'ecs',
  'describe-services',
  '--cluster',
  'taxaroo-develop',
  '--services',
  'taxaroo-api',
  '--region',
  'us-east-1',
  '--output',
  'json',
];

const failingEvents = [
  {
    id: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
    createdAt: '2025-03-12T14:07:44.120000+00:00',
    message:
      '(service taxaroo-api) (task 5d4c3b2a19f8e7d6c5b4a39281706f5e) failed container health checks.',
  },
  {
    id: 'f2a3b4c5-d6e7-4f8a-9b0c-1d2e3f4a5b6c',
    createdAt: '2025-03-12T14:06:58.310000+00:00',
    message: '(service taxaroo-api) has started 1 tasks: (task 5d4c3b2a19f8e7d6c5b4a39281706f5e).',
  },
];

/** The rules up to and including update-service, then `after` for the polling describe-services. */
function deployment(after: Rule[]): { aws: Rule[] } {
  return {
    aws: [
      { match: ['ecs', 'describe-services'], times: 1, stdout: fixture('describe-services') },
      { match: ['ecs', 'describe-task-definition'], stdout: fixture('describe-task-definition') },
      { match: ['ecs', 'register-task-definition'], stdout: fixture('register-task-definition') },
      { match: ['ecs', 'update-service'], stdout: { service: rollingServices().services[0] } },
      ...after,
    ],
  };
}

function polls(...answers: { answer: DescribeServices; times?: number }[]): Rule[] {
  return answers.map(({ answer, times }) => ({
    match: ['ecs', 'describe-services'],
    stdout: answer,
    ...(times === undefined ? {} : { times }),
  }));
}

/** A deployment whose tasks keep failing: the circuit breaker marks the rollout FAILED. */
function failedServices(): DescribeServices {
  const answer = rollingServices(failingEvents);
  const primary = answer.services[0]!.deployments[0]!;
  primary.rolloutState = 'FAILED';
  primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
  primary.runningCount = 0;
  primary.failedTasks = 3;
  return answer;
}

describe('deploy-ecs.sh', () => {
  it('registers the new task definition, updates the service and waits until it is stable', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('deploy-ecs.sh', {
      env,
      scenario: deployment(
        polls({ answer: rollingServices(), times: 2 }, { answer: stableServices() }),
      ),
    });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(awsCalls(result)).toEqual([
      describeServices,
      [
        'ecs',
        'describe-task-definition',
        '--task-definition',
        oldTaskDefinition,
        '--include',
        'TAGS',
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
      [
        'ecs',
        'register-task-definition',
        '--cli-input-json',
        `file://${sandbox.stateDir}/task-definition.json`,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
      [
        'ecs',
        'update-service',
        '--cluster',
        'taxaroo-develop',
        '--service',
        'taxaroo-api',
        '--task-definition',
        newTaskDefinition,
        '--deployment-configuration',
        `file://${sandbox.stateDir}/deployment-configuration.json`,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
      describeServices,
      describeServices,
      describeServices,
    ]);
    expect(result.stdout).toContain(`Service is stable: 2/2 tasks running ${newTaskDefinition}.`);
    // One line per look, so that CircleCI's no_output_timeout never meets a silent step.
    const looks = result.stdout.split('\n').filter((line) => /^\[\d+s\] /.test(line));
    expect(looks).toHaveLength(3);
    expect(looks[0]).toMatch(
      /^\[\d+s\] PRIMARY ecs-svc\/9036154872619038472 rollout IN_PROGRESS: running 1\/2, pending 1, failed tasks 0; 2 deployment\(s\)$/,
    );
    expect(looks[2]).toMatch(
      /rollout COMPLETED: running 2\/2, pending 0, failed tasks 0; 1 deployment\(s\)$/,
    );
  });

  it('is done only when ECS says the rollout COMPLETED, not merely when the counts match', async () => {
    const sandbox = createSandbox();
    const countsMatch = stableServices();
    countsMatch.services[0]!.deployments[0]!.rolloutState = 'IN_PROGRESS';

    const result = await sandbox.run('deploy-ecs.sh', {
      env,
      scenario: deployment(polls({ answer: countsMatch, times: 3 }, { answer: stableServices() })),
    });

    expect(result.code, result.stderr).toBe(0);
    expect(awsCalls(result).filter((call) => call[1] === 'describe-services')).toHaveLength(5);
  });

  it('drops exactly the members AWS’s model says RegisterTaskDefinition does not accept', () => {
    const ecs = serviceModel('ecs').operations;
    const described = ecs['DescribeTaskDefinition']!.output.members['taskDefinition'] as Extract<
      Shape,
      { type: 'structure' }
    >;
    const accepted = ecs['RegisterTaskDefinition']!.input.members;
    const fromModel = Object.keys(described.members)
      .filter((member) => !(member in accepted))
      .sort();
    const script = readFileSync(join(scriptsDir, 'deploy-ecs.sh'), 'utf8');
    const inScript = JSON.parse(/^readonly_members='(.*)'$/m.exec(script)?.[1] ?? 'null');
    expect(fromModel).toContain('deleteRequestedAt');
    expect(
      inScript,
      `deploy-ecs.sh must drop what AWS's model does not accept: readonly_members='${JSON.stringify(fromModel)}'`,
    ).toEqual(fromModel);
  });

  it('registers a copy of a revision being deleted, with every field of the current model', async () => {
    const sandbox = createSandbox();
    const deleting = fixture<TaskDefinitionResponse>('describe-task-definition');
    Object.assign(deleting.taskDefinition, {
      status: 'DELETE_IN_PROGRESS',
      deregisteredAt: '2025-03-10T09:00:00.000000+00:00',
      deleteRequestedAt: '2025-03-11T09:00:00.000000+00:00',
      enableFaultInjection: false,
    });

    const result = await sandbox.run('deploy-ecs.sh', {
      env,
      scenario: {
        aws: [
          { match: ['ecs', 'describe-task-definition'], stdout: deleting },
          ...deployment(polls({ answer: stableServices() })).aws,
        ],
      },
    });

    // The harness has checked the register call against AWS's model: no deleteRequestedAt.
    expect(result.code, result.stderr).toBe(0);
    const register = result.calls.find((call) => call.argv[1] === 'register-task-definition')!;
    const sent = register.files!['--cli-input-json']!.content as Record<string, unknown>;
    expect(sent).not.toHaveProperty('deleteRequestedAt');
    expect(sent['enableFaultInjection']).toBe(false);
  });

  it('registers the old task definition minus read-only fields, with only the image changed and tags kept', async () => {
    const sandbox = createSandbox();
    const original = fixture<TaskDefinitionResponse>('describe-task-definition');

    const result = await sandbox.run('deploy-ecs.sh', {
      env,
      scenario: deployment(polls({ answer: stableServices() })),
    });

    expect(result.code).toBe(0);
    const register = result.calls.find((call) => call.argv[1] === 'register-task-definition')!;
    const expected: Record<string, unknown> = { ...original.taskDefinition, tags: original.tags };
    for (const readOnly of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ]) {
      delete expected[readOnly];
    }
    expected.containerDefinitions = original.taskDefinition.containerDefinitions.map((container) =>
      container.name === 'api' ? { ...container, image: newImage } : container,
    );
    expect(register.files!['--cli-input-json']!.content).toEqual(expected);
    // The fields a hand-written register call tends to lose are all there.
    expect(Object.keys(expected)).toEqual(
      expect.arrayContaining([
        'ephemeralStorage',
        'volumes',
        'placementConstraints',
        'runtimePlatform',
        'proxyConfiguration',
        'tags',
      ]),
    );
  });

  it('turns the circuit breaker with rollback on and keeps the other deployment settings', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('deploy-ecs.sh', {
      env,
      scenario: deployment(polls({ answer: stableServices() })),
    });

    expect(result.code).toBe(0);
    const update = result.calls.find((call) => call.argv[1] === 'update-service')!;
    expect(update.files!['--deployment-configuration']!.content).toEqual({
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 50,
      alarms: { alarmNames: ['taxaroo-api-5xx'], rollback: true, enable: true },
    });
  });

  it('fails within the timeout when the service never stabilises, showing the service events', async () => {
    const sandbox = createSandbox();
    const retries = Array.from({ length: 9 }, (_, index) => ({
      id: `retry-${index}`,
      createdAt: `2025-03-12T14:${String(20 - index).padStart(2, '0')}:00.000000+00:00`,
      message: `(service taxaroo-api) has started 1 tasks: (task retry-${index}).`,
    }));

    const result = await sandbox.run('deploy-ecs.sh', {
      env: { ...env, CARBON_DEPLOY_TIMEOUT: '2', CARBON_POLL_INTERVAL: '0.2' },
      scenario: deployment(polls({ answer: rollingServices([...retries, ...failingEvents]) })),
    });

    expect(result.code).not.toBe(0);
    expect(result.durationMs).toBeGreaterThanOrEqual(2000);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(result.stderr).toContain(
      `service taxaroo-api in cluster taxaroo-develop was not stable on ${newTaskDefinition} after 2s.`,
    );
    expect(result.stderr).toContain(
      `  PRIMARY ${newTaskDefinition} rollout=IN_PROGRESS running=1/2 pending=1 failedTasks=0`,
    );
    expect(result.stderr).toContain(
      `  2025-03-12T14:07:44.120000+00:00  ${failingEvents[0]!.message}`,
    );
    // The 10 most recent events, newest first: 9 retries, then the failed health check.
    const eventLines = result.stderr.split('\n').filter((line) => /^  2025-/.test(line));
    expect(eventLines).toHaveLength(10);
    expect(eventLines[0]).toContain('(task retry-0)');
    expect(eventLines[9]).toContain('failed container health checks.');
    const pollsMade = awsCalls(result).length - 4;
    expect(pollsMade).toBeGreaterThanOrEqual(3);
  });

  it('fails at once when the rollout FAILED (the circuit breaker rolls back)', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('deploy-ecs.sh', {
      env,
      scenario: deployment(polls({ answer: failedServices() })),
    });

    expect(result.code).not.toBe(0);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(awsCalls(result).slice(4)).toEqual([describeServices]);
    expect(result.stderr).toContain(
      `the deployment of ${newTaskDefinition} to service taxaroo-api FAILED`,
    );
    expect(result.stderr).toContain('ECS deployment circuit breaker: tasks failed to start.');
    expect(result.stderr).toContain('failed container health checks.');
  });

  it('fails at once when its deployment failed and a rollback deployment became PRIMARY', async () => {
    const sandbox = createSandbox();
    const answer = failedServices();
    const [ours, old] = answer.services[0]!.deployments;
    answer.services[0]!.deployments = [
      {
        ...old!,
        status: 'PRIMARY',
        id: 'ecs-svc/1122334455667788990',
        rolloutState: 'IN_PROGRESS',
      },
      { ...ours!, status: 'ACTIVE' },
    ];

    const result = await sandbox.run('deploy-ecs.sh', {
      env,
      scenario: deployment(polls({ answer })),
    });

    expect(result.code).not.toBe(0);
    expect(awsCalls(result).slice(4)).toEqual([describeServices]);
    expect(result.stderr).toContain('FAILED');
  });

  it('fails listing the container names when the container is not in the task definition', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('deploy-ecs.sh', {
      env: { ...env, CARBON_ECS_CONTAINER: 'web' },
      scenario: deployment([]),
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `the task definition ${oldTaskDefinition} has no container named 'web'.`,
    );
    expect(result.stderr).toContain('Its containers are: api, envoy.');
    expect(awsCalls(result).map((argv) => argv[1])).toEqual([
      'describe-services',
      'describe-task-definition',
    ]);
  });

  it('fails naming the cluster and the service when ECS cannot find the service', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('deploy-ecs.sh', {
      env,
      scenario: {
        aws: [
          {
            match: ['ecs', 'describe-services'],
            stdout: {
              services: [],
              failures: [
                {
                  arn: 'arn:aws:ecs:us-east-1:123456789012:service/taxaroo-develop/taxaroo-api',
                  reason: 'MISSING',
                },
              ],
            },
          },
        ],
      },
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'ECS could not find service taxaroo-api in cluster taxaroo-develop (us-east-1)',
    );
    expect(result.stderr).toContain('MISSING');
    expect(awsCalls(result)).toEqual([describeServices]);
  });
});
