// deploy-stack.sh through the recording aws fake: the calls it makes (each checked against AWS's
// models and the CLI's own deploy command by the harness) and what it says when things go wrong.
// test/e2e/provision.test.ts runs it with the real AWS CLI against a CloudFormation stand-in.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsCalls, createSandbox, type Rule, type Sandbox } from './harness.ts';

const image =
  '123456789012.dkr.ecr.us-east-1.amazonaws.com/taxaroo/taxaroo-api-v2:inputs-0d3f5a8c2b1e4d6f8a9c0b1d2e3f4a5b';
const env = {
  CARBON_CFN_TEMPLATE: 'infra/api.yml',
  CARBON_CARBON_PATH: 'carbon',
  CARBON_CFN_STACK: 'taxaroo-api-develop',
  CARBON_CFN_PARAMETERS: 'DesiredCount=2\nDomain=api.taxaroo.example',
  CARBON_CFN_CAPABILITIES: 'CAPABILITY_NAMED_IAM',
  CARBON_PROJECT: 'taxaroo',
  CARBON_REPOSITORY: 'Taxaroo-API-V2',
  CARBON_AWS_REGION: 'us-east-1',
  CARBON_IMAGE_URI: image,
};
const template = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  ImageUri: { Type: String }
  DesiredCount: { Type: Number, Default: 1 }
  Domain: { Type: String }
Resources: {}
`;
const region = ['--region', 'us-east-1'];
const stackId =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/taxaroo-api-develop/5b0c5e80-00f1-11f1-9d7c-0e3b7f3f1a2b';

const validated = {
  Parameters: [
    { ParameterKey: 'ImageUri', NoEcho: false },
    { ParameterKey: 'DesiredCount', DefaultValue: '1', NoEcho: false },
    { ParameterKey: 'Domain', NoEcho: false },
  ],
  Capabilities: ['CAPABILITY_NAMED_IAM'],
  CapabilitiesReason: 'The following resource(s) require capabilities: [AWS::IAM::Role]',
};
const stack = (status: string) => ({
  Stacks: [
    {
      StackId: stackId,
      StackName: 'taxaroo-api-develop',
      CreationTime: '2026-11-02T10:00:00.000000+00:00',
      StackStatus: status,
      Outputs: [
        { OutputKey: 'ServiceName', OutputValue: 'taxaroo-api-v2' },
        { OutputKey: 'Url', OutputValue: 'https://api.taxaroo.example' },
      ],
    },
  ],
});
const missing = {
  stderr:
    '\nAn error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id taxaroo-api-develop does not exist\n',
  exit: 254,
};

function withTemplate(sandbox: Sandbox, text = template): void {
  mkdirSync(join(sandbox.work, 'carbon/infra'), { recursive: true });
  writeFileSync(join(sandbox.work, 'carbon/infra/api.yml'), text);
}

const deployArgv = [
  'cloudformation',
  'deploy',
  '--template-file',
  'carbon/infra/api.yml',
  '--stack-name',
  'taxaroo-api-develop',
  '--parameter-overrides',
  `ImageUri=${image}`,
  'DesiredCount=2',
  'Domain=api.taxaroo.example',
  '--capabilities',
  'CAPABILITY_NAMED_IAM',
  '--tags',
  'carbon:project=taxaroo',
  'carbon:repository=Taxaroo-API-V2',
  '--no-fail-on-empty-changeset',
  ...region,
];

describe('deploy-stack.sh', () => {
  it('creates the stack on the first build, with the image, the parameters and tags naming the project', async () => {
    const sandbox = createSandbox();
    withTemplate(sandbox);
    const scenario: Rule[] = [
      { match: ['cloudformation', 'validate-template'], stdout: validated },
      { match: ['cloudformation', 'describe-stacks'], times: 1, ...missing },
      {
        match: ['cloudformation', 'deploy'],
        stdout: 'Successfully created/updated stack - taxaroo-api-develop\n',
      },
      { match: ['cloudformation', 'describe-stacks'], stdout: stack('CREATE_COMPLETE') },
    ];

    const result = await sandbox.run('deploy-stack.sh', { env, scenario: { aws: scenario } });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(awsCalls(result)).toEqual([
      [
        'cloudformation',
        'validate-template',
        '--template-body',
        'file://carbon/infra/api.yml',
        ...region,
        '--output',
        'json',
      ],
      [
        'cloudformation',
        'describe-stacks',
        '--stack-name',
        'taxaroo-api-develop',
        ...region,
        '--output',
        'json',
      ],
      deployArgv,
      [
        'cloudformation',
        'describe-stacks',
        '--stack-name',
        'taxaroo-api-develop',
        ...region,
        '--output',
        'json',
      ],
    ]);
    expect(result.stdout).toContain(
      `Stack taxaroo-api-develop does not exist in us-east-1: creating it from carbon/infra/api.yml with ImageUri=${image}`,
    );
    expect(result.stdout).toContain(
      'Stack taxaroo-api-develop is CREATE_COMPLETE.\n  ServiceName = taxaroo-api-v2\n  Url = https://api.taxaroo.example\n',
    );
  });

  it('updates an existing stack, and passes no --capabilities when none are given', async () => {
    const sandbox = createSandbox();
    withTemplate(sandbox);

    const result = await sandbox.run('deploy-stack.sh', {
      env: { ...env, CARBON_CFN_CAPABILITIES: '', CARBON_CFN_PARAMETERS: '' },
      scenario: {
        aws: [
          { match: ['cloudformation', 'validate-template'], stdout: validated },
          {
            match: ['cloudformation', 'describe-stacks'],
            times: 1,
            stdout: stack('UPDATE_COMPLETE'),
          },
          {
            match: ['cloudformation', 'deploy'],
            stdout: '\nNo changes to deploy. Stack taxaroo-api-develop is up to date\n',
          },
          { match: ['cloudformation', 'describe-stacks'], stdout: stack('UPDATE_COMPLETE') },
        ],
      },
    });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Updating stack taxaroo-api-develop (UPDATE_COMPLETE)');
    const deploy = awsCalls(result)[2]!;
    expect(deploy).not.toContain('--capabilities');
    expect(deploy.slice(6, 9)).toEqual(['--parameter-overrides', `ImageUri=${image}`, '--tags']);
  });

  it('stops before anything changes when the template does not take the image', async () => {
    const sandbox = createSandbox();
    withTemplate(sandbox);

    const result = await sandbox.run('deploy-stack.sh', {
      env,
      scenario: {
        aws: [
          {
            match: ['cloudformation', 'validate-template'],
            stdout: { Parameters: [{ ParameterKey: 'Image', NoEcho: false }] },
          },
        ],
      },
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'the template carbon/infra/api.yml declares no parameter ImageUri, which takes the image this job',
    );
    expect(result.stderr).toContain('Its parameters: Image.');
    expect(awsCalls(result).map((argv) => argv[1])).toEqual(['validate-template']);
  });

  it('stops when the settings give a parameter the template does not declare (the CLI would drop it)', async () => {
    const sandbox = createSandbox();
    withTemplate(sandbox);

    const result = await sandbox.run('deploy-stack.sh', {
      env: { ...env, CARBON_CFN_PARAMETERS: 'DesiredCount=2\nDomian=x' },
      scenario: { aws: [{ match: ['cloudformation', 'validate-template'], stdout: validated }] },
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'declares no parameter Domian, which the project settings give it.',
    );
    expect(result.stderr).toContain('Its parameters: ImageUri DesiredCount Domain.');
  });

  it('says how to get out of a stack whose creation failed (ROLLBACK_COMPLETE)', async () => {
    const sandbox = createSandbox();
    withTemplate(sandbox);

    const result = await sandbox.run('deploy-stack.sh', {
      env,
      scenario: {
        aws: [
          { match: ['cloudformation', 'validate-template'], stdout: validated },
          { match: ['cloudformation', 'describe-stacks'], stdout: stack('ROLLBACK_COMPLETE') },
          {
            match: ['cloudformation', 'describe-stack-events'],
            stdout: {
              StackEvents: [
                {
                  StackId: stackId,
                  EventId: 'Service-CREATE_FAILED-2026-11-02T10:03:00.000Z',
                  StackName: 'taxaroo-api-develop',
                  LogicalResourceId: 'Service',
                  ResourceType: 'AWS::ECS::Service',
                  Timestamp: '2026-11-02T10:03:00.000000+00:00',
                  ResourceStatus: 'CREATE_FAILED',
                  ResourceStatusReason: 'Resource handler returned message: "Invalid subnet"',
                },
              ],
            },
          },
        ],
      },
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '  2026-11-02T10:03:00.000000+00:00  Service CREATE_FAILED: Resource handler returned message: "Invalid subnet"',
    );
    expect(result.stderr).toContain('the stack taxaroo-api-develop is ROLLBACK_COMPLETE');
    expect(result.stderr).toContain(
      'aws cloudformation delete-stack --stack-name taxaroo-api-develop --region us-east-1',
    );
    expect(awsCalls(result).map((argv) => argv[1])).not.toContain('deploy');
  });

  it('fails with the CLI’s message and the stack’s events when the deploy fails', async () => {
    const sandbox = createSandbox();
    withTemplate(sandbox);

    const result = await sandbox.run('deploy-stack.sh', {
      env,
      scenario: {
        aws: [
          { match: ['cloudformation', 'validate-template'], stdout: validated },
          { match: ['cloudformation', 'describe-stacks'], stdout: stack('UPDATE_COMPLETE') },
          {
            match: ['cloudformation', 'deploy'],
            stderr:
              '\nFailed to create/update the stack. Run the following command\nto fetch the list of events leading up to the failure\naws cloudformation describe-stack-events --stack-name taxaroo-api-develop\n',
            exit: 255,
          },
          { match: ['cloudformation', 'describe-stack-events'], stdout: { StackEvents: [] } },
        ],
      },
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Failed to create/update the stack.');
    expect(result.stderr).toContain(
      'could not deploy the stack taxaroo-api-develop (aws exit 255)',
    );
    expect(awsCalls(result).at(-1)).toEqual([
      'cloudformation',
      'describe-stack-events',
      '--stack-name',
      'taxaroo-api-develop',
      '--max-items',
      '20',
      ...region,
      '--output',
      'json',
    ]);
  });

  it('refuses a template that is missing, outside the carbon repository or too large, before calling AWS', async () => {
    const missingTemplate = await createSandbox().run('deploy-stack.sh', { env });
    expect(missingTemplate.code).toBe(1);
    expect(missingTemplate.stderr).toContain('the template carbon/infra/api.yml does not exist.');

    const linked = createSandbox();
    mkdirSync(join(linked.work, 'carbon/infra'), { recursive: true });
    writeFileSync(join(linked.work, 'elsewhere.yml'), template);
    symlinkSync('../../elsewhere.yml', join(linked.work, 'carbon/infra/api.yml'));
    const outside = await linked.run('deploy-stack.sh', { env });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('leads outside the carbon repository');

    const large = createSandbox();
    withTemplate(large, `${template}# ${'x'.repeat(51_200)}\n`);
    const tooLarge = await large.run('deploy-stack.sh', { env });
    expect(tooLarge.code).toBe(1);
    expect(tooLarge.stderr).toMatch(/has 51\d{3} bytes; CloudFormation takes at most 51200/);

    for (const result of [missingTemplate, outside, tooLarge]) expect(result.calls).toEqual([]);
  });

  it('refuses parameters and capabilities that are not what CloudFormation takes', async () => {
    const sandbox = createSandbox();
    withTemplate(sandbox);

    const image = await sandbox.run('deploy-stack.sh', {
      env: { ...env, CARBON_CFN_PARAMETERS: 'ImageUri=other:1' },
    });
    expect(image.code).toBe(1);
    expect(image.stderr).toContain('CARBON_CFN_PARAMETERS sets ImageUri');

    const capability = await sandbox.run('deploy-stack.sh', {
      env: { ...env, CARBON_CFN_CAPABILITIES: 'CAPABILITY_IAM CAPABILITY_ROOT' },
    });
    expect(capability.code).toBe(1);
    expect(capability.stderr).toContain("CARBON_CFN_CAPABILITIES has 'CAPABILITY_ROOT'");
  });
});
