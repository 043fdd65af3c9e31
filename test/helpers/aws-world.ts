// A small AWS with state behind the local endpoint (aws-endpoint.ts), for running whole jobs with a
// real AWS CLI and the orb's own ECS calls: STS hands out the fixture's session; ECR has
// repositories, the registry's scanning rules and login tokens; ECS has clusters, task definition
// revisions and services whose deployments complete after a few looks; CloudFormation has stacks,
// change sets (empty ones fail as AWS's do) and events. What a template creates is the test's to
// say (`applyStack`): this world does not read templates beyond their parameters and IAM resources.
//
// Answers are what the services send on the wire: ECS and ECR timestamps as seconds since the
// epoch (the JSON protocol), CloudFormation's as ISO dates (the query protocol's XML).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import {
  startAwsEndpoint,
  type AwsAnswer,
  type AwsEndpoint,
  type Handler,
} from './aws-endpoint.ts';

type Json = Record<string, unknown>;

export interface Service extends Json {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  status: string;
  taskDefinition: string;
  desiredCount: number;
  deploymentConfiguration: Json;
  deployments: Json[];
  events: Json[];
}

export interface Stack {
  StackId: string;
  StackName: string;
  StackStatus: string;
  template: string;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  capabilities: string[];
  outputs: Record<string, string>;
  events: Json[];
}

export interface WorldOptions {
  account?: string;
  region?: string;
  /** The looks (DescribeServices) a new deployment takes to complete. Default 1. */
  rolloutLooks?: number;
  /** What executing a change set creates or changes: the test's stand-in for the template. Throw to fail it. */
  applyStack?: (stack: Stack, world: AwsWorld) => void;
  /** The registry's scanning rules. Default: none (nothing is scanned). */
  scanningRules?: Json[];
}

export interface AwsWorld {
  endpoint: AwsEndpoint;
  account: string;
  region: string;
  clusters: Set<string>;
  /** Task definitions by ARN, as registered (tags apart). */
  taskDefinitions: Map<string, Json>;
  tags: Map<string, Json[]>;
  /** Services by `cluster/service`. */
  services: Map<string, Service>;
  stacks: Map<string, Stack>;
  repositories: Map<string, Json>;
  createCluster(name: string): void;
  registerTaskDefinition(input: Json): Json;
  createService(input: Json): Service;
  updateService(input: Json): Service;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const stsFixture = () =>
  JSON.parse(
    readFileSync(join(here, '../orb/fixtures/assume-role-with-web-identity.json'), 'utf8'),
  ) as Json;

const now = () => Math.round(Date.now()) / 1000;
const fail = (code: string, message: string): AwsAnswer => ({ error: { code, message } });
const nameOf = (nameOrArn: string) => nameOrArn.split('/').at(-1)!;

/** Starts an endpoint that is this world. */
export async function startAwsWorld(options: WorldOptions = {}): Promise<AwsWorld> {
  const account = options.account ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const looks = options.rolloutLooks ?? 1;
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${region}:${account}:${resource}`;
  let counter = 0;
  const id = () => `${(++counter).toString(16).padStart(8, '0')}-carbon-world`;
  const world = {} as AwsWorld;
  const revisions = new Map<string, number>();
  /** Looks left before a deployment completes, by deployment id. */
  const pending = new Map<string, number>();

  const clusterArn = (name: string) => arn('ecs', `cluster/${nameOf(name)}`);
  const serviceKey = (cluster: string, service: string) => `${nameOf(cluster)}/${nameOf(service)}`;
  const resolveTaskDefinition = (reference: string): string | undefined => {
    if (world.taskDefinitions.has(reference)) return reference;
    const [family = '', revision] = nameOf(reference).split(':');
    const latest = revision ?? String(revisions.get(family) ?? '');
    const found = arn('ecs', `task-definition/${family}:${latest}`);
    return world.taskDefinitions.has(found) ? found : undefined;
  };
  const deployment = (taskDefinition: string, desiredCount: number, done: boolean): Json => {
    const deploymentId = `ecs-svc/${id()}`;
    if (!done) pending.set(deploymentId, looks);
    return {
      id: deploymentId,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount,
      pendingCount: done ? 0 : desiredCount,
      runningCount: done ? desiredCount : 0,
      failedTasks: 0,
      createdAt: now(),
      updatedAt: now(),
      launchType: 'FARGATE',
      rolloutState: done ? 'COMPLETED' : 'IN_PROGRESS',
      rolloutStateReason: done ? 'ECS deployment completed.' : 'ECS deployment in progress.',
    };
  };
  /** One look at a service: its new deployment moves on, and completes after `looks` looks. */
  const advance = (service: Service) => {
    const [primary] = service.deployments;
    if (!primary) return;
    const left = pending.get(String(primary['id']));
    if (left === undefined) return;
    if (left > 1) {
      pending.set(String(primary['id']), left - 1);
      return;
    }
    pending.delete(String(primary['id']));
    Object.assign(primary, {
      rolloutState: 'COMPLETED',
      rolloutStateReason: 'ECS deployment completed.',
      runningCount: primary['desiredCount'],
      pendingCount: 0,
    });
    service.deployments = [primary];
    service.events.unshift({
      id: id(),
      createdAt: now(),
      message: `(service ${service.serviceName}) has reached a steady state.`,
    });
  };

  Object.assign(world, {
    account,
    region,
    clusters: new Set<string>(),
    taskDefinitions: new Map(),
    tags: new Map(),
    services: new Map(),
    stacks: new Map(),
    repositories: new Map(),
    createCluster(name: string) {
      world.clusters.add(nameOf(name));
    },
    registerTaskDefinition(input: Json) {
      const { tags, ...definition } = input;
      const family = String(definition['family']);
      const revision = (revisions.get(family) ?? 0) + 1;
      revisions.set(family, revision);
      const taskDefinitionArn = arn('ecs', `task-definition/${family}:${revision}`);
      const registered = {
        taskDefinitionArn,
        ...definition,
        revision,
        status: 'ACTIVE',
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.21' }],
        compatibilities: ['EC2', 'FARGATE'],
        registeredAt: now(),
        registeredBy: arn('sts', 'assumed-role/CarbonDeploy/carbon'),
      };
      world.taskDefinitions.set(taskDefinitionArn, registered);
      if (Array.isArray(tags)) world.tags.set(taskDefinitionArn, tags as Json[]);
      return registered;
    },
    createService(input: Json) {
      const cluster = nameOf(String(input['cluster'] ?? 'default'));
      const name = String(input['serviceName']);
      const taskDefinition = resolveTaskDefinition(String(input['taskDefinition']))!;
      const desiredCount = Number(input['desiredCount'] ?? 1);
      const service: Service = {
        serviceArn: arn('ecs', `service/${cluster}/${name}`),
        serviceName: name,
        clusterArn: clusterArn(cluster),
        status: 'ACTIVE',
        taskDefinition,
        desiredCount,
        runningCount: desiredCount,
        pendingCount: 0,
        launchType: 'FARGATE',
        deploymentConfiguration: (input['deploymentConfiguration'] as Json | undefined) ?? {
          deploymentCircuitBreaker: { enable: false, rollback: false },
          maximumPercent: 200,
          minimumHealthyPercent: 100,
        },
        deploymentController: { type: 'ECS' },
        deployments: [deployment(taskDefinition, desiredCount, true)],
        events: [],
        createdAt: now(),
      };
      world.services.set(serviceKey(cluster, name), service);
      return service;
    },
    updateService(input: Json) {
      const service = world.services.get(
        serviceKey(String(input['cluster'] ?? 'default'), String(input['service'])),
      )!;
      const { cluster: _cluster, service: _service, taskDefinition, ...changes } = input;
      Object.assign(service, changes);
      if (typeof taskDefinition === 'string') {
        service.taskDefinition = resolveTaskDefinition(taskDefinition)!;
        for (const old of service.deployments) old['status'] = 'ACTIVE';
        service.deployments.unshift(
          deployment(service.taskDefinition, service.desiredCount, false),
        );
      }
      return service;
    },
  });

  const ecs: Record<string, Handler> = {
    'ecs:CreateCluster': (input) => {
      const name = String((input as Json)['clusterName'] ?? 'default');
      world.createCluster(name);
      return {
        output: { cluster: { clusterArn: clusterArn(name), clusterName: name, status: 'ACTIVE' } },
      };
    },
    'ecs:RegisterTaskDefinition': (input) => {
      const registered = world.registerTaskDefinition(input as Json);
      const tags = world.tags.get(String(registered['taskDefinitionArn']));
      return { output: { taskDefinition: registered, ...(tags ? { tags } : {}) } };
    },
    'ecs:DescribeTaskDefinition': (input) => {
      const { taskDefinition, include } = input as { taskDefinition: string; include?: string[] };
      const found = resolveTaskDefinition(taskDefinition);
      if (!found) return fail('ClientException', 'Unable to describe task definition.');
      const tags = include?.includes('TAGS') ? (world.tags.get(found) ?? []) : undefined;
      return {
        output: { taskDefinition: world.taskDefinitions.get(found), ...(tags ? { tags } : {}) },
      };
    },
    'ecs:CreateService': (input) => {
      const cluster = nameOf(String((input as Json)['cluster'] ?? 'default'));
      if (!world.clusters.has(cluster))
        return fail('ClusterNotFoundException', 'Cluster not found.');
      if (!resolveTaskDefinition(String((input as Json)['taskDefinition'])))
        return fail('ClientException', 'TaskDefinition not found.');
      return { output: { service: world.createService(input as Json) } };
    },
    'ecs:DescribeServices': (input) => {
      const { cluster = 'default', services } = input as { cluster?: string; services: string[] };
      if (!world.clusters.has(nameOf(cluster)))
        return fail('ClusterNotFoundException', 'Cluster not found.');
      const found: Service[] = [];
      const failures: Json[] = [];
      for (const name of services) {
        const service = world.services.get(serviceKey(cluster, name));
        if (service) {
          advance(service);
          found.push(service);
        } else {
          failures.push({
            arn: arn('ecs', `service/${nameOf(cluster)}/${name}`),
            reason: 'MISSING',
          });
        }
      }
      return { output: { services: found, failures } };
    },
    'ecs:UpdateService': (input) => {
      const { cluster = 'default', service } = input as { cluster?: string; service: string };
      if (!world.clusters.has(nameOf(cluster)))
        return fail('ClusterNotFoundException', 'Cluster not found.');
      if (!world.services.has(serviceKey(cluster, service)))
        return fail('ServiceNotFoundException', 'Service not found.');
      return { output: { service: world.updateService(input as Json) } };
    },
  };

  const repositoryOf = (name: string): Json => ({
    repositoryArn: arn('ecr', `repository/${name}`),
    registryId: account,
    repositoryName: name,
    repositoryUri: `${account}.dkr.ecr.${region}.amazonaws.com/${name}`,
    createdAt: now(),
    imageTagMutability: 'MUTABLE',
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfiguration: { encryptionType: 'AES256' },
  });
  const ecr: Record<string, Handler> = {
    'ecr:DescribeRepositories': (input) => {
      const names = (input as { repositoryNames: string[] }).repositoryNames;
      const missing = names.find((name) => !world.repositories.has(name));
      if (missing)
        return fail(
          'RepositoryNotFoundException',
          `The repository with name '${missing}' does not exist in the registry with id '${account}'`,
        );
      return { output: { repositories: names.map((name) => world.repositories.get(name)) } };
    },
    'ecr:CreateRepository': (input) => {
      const { repositoryName, registryId: _registry, ...settings } = input as Json;
      const repository = { ...repositoryOf(String(repositoryName)), ...settings };
      world.repositories.set(String(repositoryName), repository);
      return { output: { repository } };
    },
    'ecr:GetRegistryScanningConfiguration': () => ({
      output: {
        registryId: account,
        scanningConfiguration: { scanType: 'BASIC', rules: options.scanningRules ?? [] },
      },
    }),
    // No image is ever there: the docker of the tests is a recording fake that pushes nowhere.
    'ecr:DescribeImages': () =>
      fail(
        'ImageNotFoundException',
        'The image requested does not exist in the specified repository.',
      ),
    'ecr:GetAuthorizationToken': () => ({
      output: {
        authorizationData: [
          {
            authorizationToken: Buffer.from('AWS:not-a-real-password').toString('base64'),
            expiresAt: now() + 43_200,
            proxyEndpoint: `https://${account}.dkr.ecr.${region}.amazonaws.com`,
          },
        ],
      },
    }),
  };

  const sts: Record<string, Handler> = {
    'sts:AssumeRoleWithWebIdentity': () => ({ output: stsFixture() }),
  };

  const cloudformation = cloudFormation(world, options, arn, id);
  world.endpoint = await startAwsEndpoint({ ...ecs, ...ecr, ...sts, ...cloudformation }, 180_000);
  world.close = () => world.endpoint.close();
  return world;
}

/** CloudFormation's templates as far as this world reads them: parameters and IAM resources. */
function readTemplate(body: string): { parameters: Json; capability?: string } {
  // CloudFormation's short forms (!Ref, !Sub...) are tags YAML does not know: kept as plain values.
  const document = parseDocument(body, { logLevel: 'silent' }).toJS() as Json | null;
  const resources = Object.values((document?.['Resources'] as Json | undefined) ?? {}) as Json[];
  const iam = resources.filter((resource) => String(resource['Type']).startsWith('AWS::IAM::'));
  const named = iam.some((resource) =>
    Object.keys((resource['Properties'] as Json | undefined) ?? {}).some((key) =>
      ['RoleName', 'UserName', 'GroupName', 'ManagedPolicyName'].includes(key),
    ),
  );
  return {
    parameters: (document?.['Parameters'] as Json | undefined) ?? {},
    ...(iam.length > 0 ? { capability: named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM' } : {}),
  };
}

function cloudFormation(
  world: AwsWorld,
  options: WorldOptions,
  arn: (service: string, resource: string) => string,
  id: () => string,
): Record<string, Handler> {
  const iso = () => new Date().toISOString();
  const changeSets = new Map<string, Json & { stack: Stack; next: Partial<Stack>; type: string }>();
  const missing = (name: string) => fail('ValidationError', `Stack with id ${name} does not exist`);
  const described = (stack: Stack) => ({
    StackId: stack.StackId,
    StackName: stack.StackName,
    StackStatus: stack.StackStatus,
    CreationTime: iso(),
    Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
    Tags: Object.entries(stack.tags).map(([Key, Value]) => ({ Key, Value })),
    Capabilities: stack.capabilities,
    Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({
      OutputKey,
      OutputValue,
    })),
  });
  const event = (stack: Stack, resource: string, status: string, reason?: string) =>
    stack.events.unshift({
      StackId: stack.StackId,
      EventId: id(),
      StackName: stack.StackName,
      LogicalResourceId: resource,
      ResourceType:
        resource === stack.StackName ? 'AWS::CloudFormation::Stack' : 'AWS::ECS::Service',
      Timestamp: iso(),
      ResourceStatus: status,
      ...(reason ? { ResourceStatusReason: reason } : {}),
    });
  return {
    'cloudformation:ValidateTemplate': (input) => {
      const { parameters, capability } = readTemplate(String((input as Json)['TemplateBody']));
      return {
        output: {
          Parameters: Object.entries(parameters).map(([ParameterKey, definition]) => ({
            ParameterKey,
            NoEcho: false,
            ...((definition as Json)['Default'] !== undefined
              ? { DefaultValue: String((definition as Json)['Default']) }
              : {}),
          })),
          ...(capability
            ? { Capabilities: [capability], CapabilitiesReason: 'The template has IAM resources' }
            : {}),
        },
      };
    },
    'cloudformation:DescribeStacks': (input) => {
      const name = String((input as Json)['StackName']);
      const stack = world.stacks.get(name);
      return stack ? { output: { Stacks: [described(stack)] } } : missing(name);
    },
    'cloudformation:GetTemplateSummary': (input) => {
      const stack = world.stacks.get(String((input as Json)['StackName']));
      if (!stack) return missing(String((input as Json)['StackName']));
      return {
        output: {
          Parameters: Object.keys(readTemplate(stack.template).parameters).map((ParameterKey) => ({
            ParameterKey,
          })),
        },
      };
    },
    'cloudformation:CreateChangeSet': (input) => {
      const request = input as Json & {
        Parameters?: Json[];
        Tags?: Json[];
        Capabilities?: string[];
      };
      const name = String(request['StackName']);
      const type = String(request['ChangeSetType'] ?? 'UPDATE');
      let stack = world.stacks.get(name);
      if (type === 'CREATE') {
        if (stack) return fail('AlreadyExistsException', `Stack [${name}] already exists`);
        stack = {
          StackId: arn('cloudformation', `stack/${name}/${id()}`),
          StackName: name,
          StackStatus: 'REVIEW_IN_PROGRESS',
          template: '',
          parameters: {},
          tags: {},
          capabilities: [],
          outputs: {},
          events: [],
        };
        world.stacks.set(name, stack);
      } else if (!stack) return missing(name);
      const template = String(request['TemplateBody']);
      const { parameters: declared, capability } = readTemplate(template);
      const parameters: Record<string, string> = {};
      for (const given of request.Parameters ?? []) {
        const key = String(given['ParameterKey']);
        const value = given['UsePreviousValue'] ? stack.parameters[key] : given['ParameterValue'];
        if (value !== undefined) parameters[key] = String(value);
      }
      for (const [key, definition] of Object.entries(declared))
        if (parameters[key] === undefined && (definition as Json)['Default'] !== undefined)
          parameters[key] = String((definition as Json)['Default']);
      const capabilities = request.Capabilities ?? [];
      if (capability && !capabilities.includes(capability))
        return fail('InsufficientCapabilitiesException', `Requires capabilities : [${capability}]`);
      const tags = Object.fromEntries(
        (request.Tags ?? []).map((tag) => [String(tag['Key']), String(tag['Value'])]),
      );
      const empty =
        type === 'UPDATE' &&
        stack.template === template &&
        JSON.stringify(stack.parameters) === JSON.stringify(parameters) &&
        JSON.stringify(stack.tags) === JSON.stringify(tags);
      const changeSetId = arn(
        'cloudformation',
        `changeSet/${String(request['ChangeSetName'])}/${id()}`,
      );
      changeSets.set(changeSetId, {
        ChangeSetId: changeSetId,
        ChangeSetName: request['ChangeSetName'],
        StackId: stack.StackId,
        StackName: name,
        Status: empty ? 'FAILED' : 'CREATE_COMPLETE',
        ...(empty
          ? {
              StatusReason:
                "The submitted information didn't contain changes. Submit different information to create a change set.",
            }
          : {}),
        ExecutionStatus: empty ? 'UNAVAILABLE' : 'AVAILABLE',
        stack,
        next: { template, parameters, tags, capabilities },
        type,
      });
      return { output: { Id: changeSetId, StackId: stack.StackId } };
    },
    'cloudformation:DescribeChangeSet': (input) => {
      const changeSet = changeSets.get(String((input as Json)['ChangeSetName']));
      if (!changeSet) return fail('ChangeSetNotFound', 'ChangeSet does not exist');
      const { stack: _stack, next: _next, type: _type, ...shown } = changeSet;
      return { output: { ...shown, Changes: [] } };
    },
    'cloudformation:ExecuteChangeSet': (input) => {
      const changeSet = changeSets.get(String((input as Json)['ChangeSetName']));
      if (!changeSet || changeSet['ExecutionStatus'] !== 'AVAILABLE')
        return fail('InvalidChangeSetStatus', 'ChangeSet is not available to execute');
      const { stack, next, type } = changeSet;
      changeSet['ExecutionStatus'] = 'EXECUTE_COMPLETE';
      const before = { ...stack };
      Object.assign(stack, next);
      event(stack, stack.StackName, `${type}_IN_PROGRESS`, 'User Initiated');
      try {
        options.applyStack?.(stack, world);
        stack.StackStatus = `${type}_COMPLETE`;
      } catch (error) {
        event(stack, 'Service', `${type}_FAILED`, (error as Error).message);
        Object.assign(stack, { template: before.template, parameters: before.parameters });
        stack.StackStatus = type === 'CREATE' ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE';
      }
      event(stack, stack.StackName, stack.StackStatus);
      return { output: {} };
    },
    'cloudformation:DescribeStackEvents': (input) => {
      const stack = world.stacks.get(String((input as Json)['StackName']));
      return stack
        ? { output: { StackEvents: stack.events } }
        : missing(String((input as Json)['StackName']));
    },
  };
}
