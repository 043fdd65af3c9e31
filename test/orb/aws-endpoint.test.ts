// The local AWS endpoint checks what reaches it: these hold its checks to AWS's own definitions, so
// that "no problems" in the other tests means something.
import { describe, expect, it } from 'vitest';
import { decodeQuery, onTheWire, signatureProblem } from '../helpers/aws-endpoint.ts';
import { serviceModel } from '../helpers/aws-models.ts';

// AWS's Signature Version 4 test suite, get-vanilla: its credentials, request and signature.
const suiteCredentials = new Map([
  ['AKIDEXAMPLE', { secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }],
]);
const vanilla = {
  method: 'GET',
  url: '/',
  body: '',
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
};

describe('the endpoint’s signature check', () => {
  it('accepts the signature of AWS’s test suite', () => {
    expect(signatureProblem(vanilla, 'service', suiteCredentials)).toBeUndefined();
  });

  it('refuses a changed body, another service, an unknown key and a missing session token', () => {
    expect(signatureProblem({ ...vanilla, body: '{}' }, 'service', suiteCredentials)).toBe(
      'the signature does not match the request',
    );
    expect(signatureProblem(vanilla, 'ecs', suiteCredentials)).toBe(
      'signed for the service service, not ecs',
    );
    expect(signatureProblem(vanilla, 'service', new Map())).toBe(
      'signed with an access key no test gave out: AKIDEXAMPLE',
    );
    const withToken = new Map([
      ['AKIDEXAMPLE', { secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', token: 'session' }],
    ]);
    expect(signatureProblem(vanilla, 'service', withToken)).toMatch(/session token/);
    expect(
      signatureProblem({ ...vanilla, headers: { host: 'example.amazonaws.com' } }, 'service'),
    ).toBe('the request is not signed');
  });
});

describe('the query protocol, decoded by the model', () => {
  it('reads lists, structures, numbers and empty lists as CreateChangeSet has them', () => {
    const input = serviceModel('cloudformation').operations['CreateChangeSet']!.input;
    const form = {
      Action: 'CreateChangeSet',
      Version: '2010-05-15',
      StackName: 'acme-api-main',
      ChangeSetName: 'awscli-cloudformation-package-deploy-1',
      'Parameters.member.1.ParameterKey': 'ImageUri',
      'Parameters.member.1.ParameterValue': 'img:1',
      'Parameters.member.2.ParameterKey': 'DesiredCount',
      'Parameters.member.2.UsePreviousValue': 'true',
      Capabilities: '',
      'Tags.member.1.Key': 'carbon:project',
      'Tags.member.1.Value': 'acme',
      Surprise: 'x',
    };
    expect(decodeQuery(input, form)).toEqual({
      StackName: 'acme-api-main',
      ChangeSetName: 'awscli-cloudformation-package-deploy-1',
      Parameters: [
        { ParameterKey: 'ImageUri', ParameterValue: 'img:1' },
        { ParameterKey: 'DesiredCount', UsePreviousValue: true },
      ],
      Capabilities: [],
      Tags: [{ Key: 'carbon:project', Value: 'acme' }],
      // Unknown to the model: kept, so that the contract check sees it.
      Surprise: 'x',
    });
    const sts = serviceModel('sts').operations['AssumeRoleWithWebIdentity']!.input;
    expect(decodeQuery(sts, { RoleArn: 'r', DurationSeconds: '3600' })).toEqual({
      RoleArn: 'r',
      DurationSeconds: 3600,
    });
  });
});

describe('answers on the wire', () => {
  it('writes the CLI’s dates as the seconds since the epoch the JSON protocol sends', () => {
    expect(
      onTheWire('ecs', 'DescribeServices', {
        services: [{ events: [{ createdAt: '2025-03-12T14:07:44.120000+00:00', message: 'm' }] }],
      }),
    ).toEqual({ services: [{ events: [{ createdAt: 1741788464.12, message: 'm' }] }] });
  });
});

describe('the settings’ CloudFormation capabilities', () => {
  it('are those of AWS’s model', async () => {
    const { CAPABILITIES } = await import('../../src/settings/schema.ts');
    const shape =
      serviceModel('cloudformation').operations['CreateChangeSet']!.input.members['Capabilities']!;
    const fromModel =
      shape.type === 'list' && shape.member.type === 'string' ? shape.member.enum : [];
    expect([...CAPABILITIES].sort()).toEqual([...(fromModel ?? [])].sort());
  });
});
