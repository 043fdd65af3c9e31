// deploy-ecs.sh against a local ECS endpoint: it calls ECS's JSON API itself (curl, SigV4), so what
// reaches the endpoint is checked against AWS's model and the signature against the job's
// credentials (aws-endpoint.ts), and what it answers is AWS's wire format.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  onTheWire,
  startAwsEndpoint,
  type AwsAnswer,
  type AwsEndpoint,
  type Handler,
} from '../helpers/aws-endpoint.ts';
import { serviceModel, type Shape } from '../helpers/aws-models.ts';
import { startAwsWorld } from '../helpers/aws-world.ts';
import { createSandbox, scriptsDir, type Sandbox } from './harness.ts';
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
const session = fixture<{ Credentials: Record<string, string> }>(
  'assume-role-with-web-identity',
).Credentials;
const credentials = {
  AWS_ACCESS_KEY_ID: session['AccessKeyId']!,
  AWS_SECRET_ACCESS_KEY: session['SecretAccessKey']!,
  AWS_SESSION_TOKEN: session['SessionToken']!,
};
const baseEnv = {
  CARBON_ECS_CLUSTER: 'taxaroo-develop',
  CARBON_ECS_SERVICE: 'taxaroo-api',
  CARBON_ECS_CONTAINER: 'api',
  CARBON_AWS_REGION: 'us-east-1',
  CARBON_IMAGE_URI: newImage,
  CARBON_POLL_INTERVAL: '0.01',
  CARBON_DEPLOY_TIMEOUT: '20',
  ...credentials,
};
const describeInput = { cluster: 'taxaroo-develop', services: ['taxaroo-api'] };

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

/** One answer after another (each `times` times, the last one for ever), as ECS's wire has them. */
function answers(operation: string, ...list: { answer: unknown; times?: number }[]): Handler {
  let index = 0;
  let used = 0;
  return () => {
    const current = list[index]!;
    used += 1;
    if (current.times !== undefined && used >= current.times && index < list.length - 1) {
      index += 1;
      used = 0;
    }
    return 'error' in (current.answer as object)
      ? (current.answer as AwsAnswer)
      : { output: onTheWire('ecs', operation, current.answer) };
  };
}

/** The handlers up to and including UpdateService, then `polls` for the looks at the rollout. */
function deployment(...polls: { answer: DescribeServices; times?: number }[]) {
  return {
    'ecs:DescribeServices': answers(
      'DescribeServices',
      { answer: fixture('describe-services'), times: 1 },
      ...polls,
    ),
    'ecs:DescribeTaskDefinition': answers('DescribeTaskDefinition', {
      answer: fixture('describe-task-definition'),
    }),
    'ecs:RegisterTaskDefinition': answers('RegisterTaskDefinition', {
      answer: fixture('register-task-definition'),
    }),
    'ecs:UpdateService': answers('UpdateService', {
      answer: { service: rollingServices().services[0] },
    }),
  };
}

async function endpointOf(handlers: Record<string, Handler>): Promise<AwsEndpoint> {
  const endpoint = await startAwsEndpoint(handlers);
  onTestFinished(endpoint.close);
  return endpoint;
}

async function deploy(
  handlers: Record<string, Handler>,
  env: Record<string, string | undefined> = {},
  sandbox: Sandbox = createSandbox(),
) {
  const endpoint = await endpointOf(handlers);
  const result = await sandbox.run('deploy-ecs.sh', {
    env: { ...baseEnv, AWS_ENDPOINT_URL: endpoint.url, ...env },
  });
  return { result, endpoint, sandbox };
}

const operations = (endpoint: AwsEndpoint) => endpoint.requests.map((r) => r.operation);
const inputOf = (endpoint: AwsEndpoint, operation: string) =>
  endpoint.requests.find((r) => r.operation === operation)?.input as Record<string, unknown>;

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
    const { result, endpoint, sandbox } = await deploy(
      deployment({ answer: rollingServices(), times: 2 }, { answer: stableServices() }),
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Every request fit AWS's model and was signed with the job's session.
    expect(endpoint.problems).toEqual([]);
    expect(endpoint.requests).toEqual([
      { service: 'ecs', operation: 'DescribeServices', input: describeInput },
      {
        service: 'ecs',
        operation: 'DescribeTaskDefinition',
        input: { taskDefinition: oldTaskDefinition, include: ['TAGS'] },
      },
      { service: 'ecs', operation: 'RegisterTaskDefinition', input: expect.any(Object) },
      {
        service: 'ecs',
        operation: 'UpdateService',
        input: {
          cluster: 'taxaroo-develop',
          service: 'taxaroo-api',
          taskDefinition: newTaskDefinition,
          deploymentConfiguration: expect.any(Object),
        },
      },
      ...Array.from({ length: 3 }, () => ({
        service: 'ecs',
        operation: 'DescribeServices',
        input: describeInput,
      })),
    ]);
    // The register request stays in the state folder (mode 700), where the job's end removes it.
    expect(
      JSON.parse(readFileSync(join(sandbox.stateDir, 'task-definition.json'), 'utf8')),
    ).toEqual(inputOf(endpoint, 'RegisterTaskDefinition'));
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

  it('keeps the secret key and the session token out of curl’s arguments', async () => {
    const sandbox = createSandbox();
    const log = join(sandbox.root, 'curl-argv');
    const wrapper = join(sandbox.bin, 'curl');
    writeFileSync(
      wrapper,
      `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>'${log}'\nexec /usr/bin/curl "$@"\n`,
    );
    chmodSync(wrapper, 0o755);

    const { result, endpoint } = await deploy(
      deployment({ answer: stableServices() }),
      {},
      sandbox,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(endpoint.problems).toEqual([]);
    const argv = readFileSync(log, 'utf8');
    expect(argv.split('\n').filter(Boolean)).toHaveLength(5);
    expect(argv).toContain('--aws-sigv4 aws:amz:us-east-1:ecs');
    expect(argv).not.toContain(credentials.AWS_SECRET_ACCESS_KEY);
    expect(argv).not.toContain(credentials.AWS_SESSION_TOKEN);
    expect(argv).not.toContain(credentials.AWS_ACCESS_KEY_ID);
  });

  it('calls AWS_ENDPOINT_URL_ECS before AWS_ENDPOINT_URL, as the AWS CLI does', async () => {
    const ecs = await endpointOf(deployment({ answer: stableServices() }));
    const { result, endpoint: general } = await deploy({}, { AWS_ENDPOINT_URL_ECS: ecs.url });

    expect(result.code, result.stderr).toBe(0);
    expect(general.requests).toEqual([]);
    expect(operations(ecs)).toEqual([
      'DescribeServices',
      'DescribeTaskDefinition',
      'RegisterTaskDefinition',
      'UpdateService',
      'DescribeServices',
    ]);
  });

  it('tries a throttled call again', async () => {
    const handlers = deployment({ answer: stableServices() });
    const register = handlers['ecs:RegisterTaskDefinition'];
    let throttled = 0;
    handlers['ecs:RegisterTaskDefinition'] = (input) =>
      throttled++ === 0
        ? { error: { code: 'ThrottlingException', message: 'Rate exceeded' } }
        : register(input);

    const { result, endpoint } = await deploy(handlers);

    expect(result.code, result.stderr).toBe(0);
    expect(operations(endpoint).filter((op) => op === 'RegisterTaskDefinition')).toHaveLength(2);
  });

  it('is done only when ECS says the rollout COMPLETED, not merely when the counts match', async () => {
    const countsMatch = stableServices();
    countsMatch.services[0]!.deployments[0]!.rolloutState = 'IN_PROGRESS';

    const { result, endpoint } = await deploy(
      deployment({ answer: countsMatch, times: 3 }, { answer: stableServices() }),
    );

    expect(result.code, result.stderr).toBe(0);
    expect(operations(endpoint).filter((op) => op === 'DescribeServices')).toHaveLength(5);
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
    const deleting = fixture<TaskDefinitionResponse>('describe-task-definition');
    Object.assign(deleting.taskDefinition, {
      status: 'DELETE_IN_PROGRESS',
      deregisteredAt: '2025-03-10T09:00:00.000000+00:00',
      deleteRequestedAt: '2025-03-11T09:00:00.000000+00:00',
      enableFaultInjection: false,
    });
    const handlers = deployment({ answer: stableServices() });
    handlers['ecs:DescribeTaskDefinition'] = answers('DescribeTaskDefinition', {
      answer: deleting,
    });

    const { result, endpoint } = await deploy(handlers);

    // The endpoint checked the register request against AWS's model: no deleteRequestedAt.
    expect(result.code, result.stderr).toBe(0);
    expect(endpoint.problems).toEqual([]);
    const sent = inputOf(endpoint, 'RegisterTaskDefinition');
    expect(sent).not.toHaveProperty('deleteRequestedAt');
    expect(sent['enableFaultInjection']).toBe(false);
  });

  it('registers the old task definition minus read-only fields, with only the image changed and tags kept', async () => {
    const original = onTheWire(
      'ecs',
      'DescribeTaskDefinition',
      fixture('describe-task-definition'),
    ) as TaskDefinitionResponse;

    const { result, endpoint } = await deploy(deployment({ answer: stableServices() }));

    expect(result.code).toBe(0);
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
    expect(inputOf(endpoint, 'RegisterTaskDefinition')).toEqual(expected);
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
    const { result, endpoint } = await deploy(deployment({ answer: stableServices() }));

    expect(result.code).toBe(0);
    expect(inputOf(endpoint, 'UpdateService')['deploymentConfiguration']).toEqual({
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 50,
      alarms: { alarmNames: ['taxaroo-api-5xx'], rollback: true, enable: true },
    });
  });

  it('keeps every field ECS answers, also those no model knows yet, through a whole deploy', async () => {
    // ECS's answers carry what AWS added after the job's AWS CLI was built: the circuit breaker's
    // July 2026 members (newer than botocore 1.43 and cimg/aws:2026.04.1's CLI) and members no
    // model has at all, at every level.
    const world = await startAwsWorld({ rolloutLooks: 2 });
    onTestFinished(world.close);
    world.createCluster('taxaroo-develop');
    const current = world.registerTaskDefinition({
      family: 'taxaroo-api',
      containerDefinitions: [
        {
          name: 'api',
          image: 'old:1',
          essential: true,
          carbonUnknownContainerMember: { from: 'the future' },
        },
      ],
      cpu: '256',
      memory: '512',
      carbonUnknownTaskMember: ['kept', 'as', 'is'],
      tags: [{ key: 'team', value: 'api' }],
    });
    world.createService({
      cluster: 'taxaroo-develop',
      serviceName: 'taxaroo-api',
      taskDefinition: current['taskDefinitionArn'],
      desiredCount: 2,
      deploymentConfiguration: {
        deploymentCircuitBreaker: {
          enable: false,
          rollback: false,
          resetOnHealthyTask: true,
          thresholdConfiguration: { type: 'BOUNDED_PERCENT', value: 25 },
          carbonUnknownBreakerMember: 7,
        },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        carbonUnknownDeploymentMember: 'yes',
      },
    });

    const result = await createSandbox().run('deploy-ecs.sh', {
      env: { ...baseEnv, AWS_ENDPOINT_URL: world.endpoint.url },
    });

    expect(result.code, result.stderr).toBe(0);
    const service = world.services.get('taxaroo-develop/taxaroo-api')!;
    expect(service.deploymentConfiguration).toEqual({
      deploymentCircuitBreaker: {
        enable: true,
        rollback: true,
        resetOnHealthyTask: true,
        thresholdConfiguration: { type: 'BOUNDED_PERCENT', value: 25 },
        carbonUnknownBreakerMember: 7,
      },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      carbonUnknownDeploymentMember: 'yes',
    });
    const deployed = world.taskDefinitions.get(service.taskDefinition)!;
    expect(deployed['revision']).toBe(2);
    expect(deployed['carbonUnknownTaskMember']).toEqual(['kept', 'as', 'is']);
    expect(deployed['containerDefinitions']).toEqual([
      {
        name: 'api',
        image: newImage,
        essential: true,
        carbonUnknownContainerMember: { from: 'the future' },
      },
    ]);
    expect(world.tags.get(service.taskDefinition)).toEqual([{ key: 'team', value: 'api' }]);
    expect(service.deployments).toHaveLength(1);
    // The only things AWS's current model does not know are the members planted above: they
    // reached the endpoint, and nothing else is amiss (signatures included).
    expect(world.endpoint.problems.sort()).toEqual([
      'ecs:RegisterTaskDefinition: containerDefinitions[0]: unknown member "carbonUnknownContainerMember" of ContainerDefinition',
      'ecs:RegisterTaskDefinition: unknown member "carbonUnknownTaskMember" of RegisterTaskDefinitionRequest',
      'ecs:UpdateService: deploymentConfiguration.deploymentCircuitBreaker: unknown member "carbonUnknownBreakerMember" of DeploymentCircuitBreaker',
      'ecs:UpdateService: deploymentConfiguration: unknown member "carbonUnknownDeploymentMember" of DeploymentConfiguration',
    ]);
  });

  it('fails within the timeout when the service never stabilises, showing the service events', async () => {
    const retries = Array.from({ length: 9 }, (_, index) => ({
      id: `retry-${index}`,
      createdAt: `2025-03-12T14:${String(20 - index).padStart(2, '0')}:00.000000+00:00`,
      message: `(service taxaroo-api) has started 1 tasks: (task retry-${index}).`,
    }));

    const { result, endpoint } = await deploy(
      deployment({ answer: rollingServices([...retries, ...failingEvents]) }),
      { CARBON_DEPLOY_TIMEOUT: '2', CARBON_POLL_INTERVAL: '0.2' },
    );

    expect(result.code).not.toBe(0);
    expect(result.durationMs).toBeGreaterThanOrEqual(2000);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(result.stderr).toContain(
      `service taxaroo-api in cluster taxaroo-develop was not stable on ${newTaskDefinition} after 2s.`,
    );
    expect(result.stderr).toContain(
      `  PRIMARY ${newTaskDefinition} rollout=IN_PROGRESS running=1/2 pending=1 failedTasks=0`,
    );
    // ECS sends seconds since the epoch; the script prints them as dates.
    expect(result.stderr).toContain(`  2025-03-12T14:07:44Z  ${failingEvents[0]!.message}`);
    // The 10 most recent events, newest first: 9 retries, then the failed health check.
    const eventLines = result.stderr.split('\n').filter((line) => /^  2025-/.test(line));
    expect(eventLines).toHaveLength(10);
    expect(eventLines[0]).toContain('(task retry-0)');
    expect(eventLines[9]).toContain('failed container health checks.');
    expect(endpoint.requests.length - 4).toBeGreaterThanOrEqual(3);
  });

  it('fails at once when the rollout FAILED (the circuit breaker rolls back)', async () => {
    const { result, endpoint } = await deploy(deployment({ answer: failedServices() }));

    expect(result.code).not.toBe(0);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(operations(endpoint).slice(4)).toEqual(['DescribeServices']);
    expect(result.stderr).toContain(
      `the deployment of ${newTaskDefinition} to service taxaroo-api FAILED`,
    );
    expect(result.stderr).toContain('ECS deployment circuit breaker: tasks failed to start.');
    expect(result.stderr).toContain('failed container health checks.');
  });

  it('fails at once when its deployment failed and a rollback deployment became PRIMARY', async () => {
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

    const { result, endpoint } = await deploy(deployment({ answer }));

    expect(result.code).not.toBe(0);
    expect(operations(endpoint).slice(4)).toEqual(['DescribeServices']);
    expect(result.stderr).toContain('FAILED');
  });

  it('fails listing the container names when the container is not in the task definition', async () => {
    const { result, endpoint } = await deploy(deployment(), { CARBON_ECS_CONTAINER: 'web' });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `the task definition ${oldTaskDefinition} has no container named 'web'.`,
    );
    expect(result.stderr).toContain('Its containers are: api, envoy.');
    expect(operations(endpoint)).toEqual(['DescribeServices', 'DescribeTaskDefinition']);
  });

  it('says in one line, naming cluster and service, how to get a service that does not exist', async () => {
    const world = await startAwsWorld();
    onTestFinished(world.close);
    world.createCluster('taxaroo-develop');

    const result = await createSandbox().run('deploy-ecs.sh', {
      env: { ...baseEnv, AWS_ENDPOINT_URL: world.endpoint.url },
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'deploy-ecs.sh: error: ECS service taxaroo-api does not exist in cluster taxaroo-develop (us-east-1): ' +
        'add a provision step to the build (build.provision: a hook or a CloudFormation template that ' +
        'creates it), or create the service.\n',
    );
    expect(world.endpoint.requests.map((r) => r.operation)).toEqual(['DescribeServices']);
    expect(world.endpoint.problems).toEqual([]);
  });

  it('says so in one line when the cluster does not exist either', async () => {
    const world = await startAwsWorld();
    onTestFinished(world.close);

    const result = await createSandbox().run('deploy-ecs.sh', {
      env: { ...baseEnv, AWS_ENDPOINT_URL: world.endpoint.url },
    });

    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      'deploy-ecs.sh: error: ECS cluster taxaroo-develop does not exist in us-east-1, nor service taxaroo-api in it: ' +
        'add a provision step to the build (build.provision: a hook or a CloudFormation template that ' +
        'creates it), or create the service.',
    ]);
  });

  it('blames the provision hook when the service is still missing after it ran', async () => {
    const { result } = await deploy(
      {
        'ecs:DescribeServices': answers('DescribeServices', {
          answer: {
            services: [],
            failures: [
              {
                arn: 'arn:aws:ecs:us-east-1:123456789012:service/taxaroo-develop/taxaroo-api',
                reason: 'MISSING',
              },
            ],
          },
        }),
      },
      { CARBON_PROVISION: 'hook' },
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'deploy-ecs.sh: error: ECS service taxaroo-api does not exist in cluster taxaroo-develop (us-east-1), ' +
        'after the provision hook ran: make the hook create it, or create the service.\n',
    );
  });

  it('names ECS’s error when a call fails for another reason', async () => {
    const { result } = await deploy({
      'ecs:DescribeServices': () => ({
        error: {
          code: 'AccessDeniedException',
          message: 'User is not authorized to perform: ecs:DescribeServices',
        },
      }),
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'could not describe service taxaroo-api in cluster taxaroo-develop (us-east-1):',
    );
    expect(result.stderr).toMatch(
      /answered DescribeServices with AccessDeniedException: User is not authorized to perform: ecs:DescribeServices/,
    );
  });

  it('refuses to run without the job’s credentials', async () => {
    const { result, endpoint } = await deploy(deployment(), { AWS_SECRET_ACCESS_KEY: undefined });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AWS_SECRET_ACCESS_KEY is not set.');
    expect(endpoint.requests).toEqual([]);
  });
});
