// A local AWS-shaped endpoint on 127.0.0.1 for running the orb's scripts with a real AWS CLI or with
// curl: it speaks the JSON 1.1 protocol of ECR and ECS (POST /, X-Amz-Target: <service
// target>.<Operation>) and the query protocol of STS and CloudFormation (form-encoded Action=...,
// Version=..., XML answers), records every request, and answers each operation from a handler the
// test gives, else with an unknown-operation error.
//
// Fakes accept anything, so this one checks what reaches it against the real contracts and lists
// every violation in `problems`: each request's input against AWS's model of the operation (the
// AWS SDK v3 models, aws-models.ts; the query protocol's form decoded by the model's shapes), and
// each request's Signature Version 4 against the credentials it was signed with (the throw-away
// keys of the CLI wrappers, and the session of the STS fixture that aws-login.sh exports). Only
// AssumeRoleWithWebIdentity goes unsigned, as AWS allows.
//
// The AWS CLI 2.9 that Debian ships knows --endpoint-url but not AWS_ENDPOINT_URL (added in 2.13):
// `installRealAws` puts an `aws` first on a sandbox's PATH that runs it with --endpoint-url, signing
// with throw-away credentials, so that nothing can reach AWS itself. `installPipAws` does the same
// for the pip AWS CLI (v1, current models), which the endpoint reaches through AWS_ENDPOINT_URL.
// The server listens on a random port and closes itself after `lifetimeMs` at the latest.
import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkValue } from './aws-contract.ts';
import { serviceModel, serviceNames, type ServiceName, type Shape } from './aws-models.ts';

/** Debian's AWS CLI v2 (apt-get install awscli), the old one the version guard must stop. */
export const DEBIAN_AWS_CLI = '/usr/bin/aws';

/** The keys the CLI wrappers sign with: nothing signed with them can reach AWS. */
export const THROWAWAY_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

export interface EndpointRequest {
  service: ServiceName | 'unknown';
  /** The API operation, as DescribeRepositories. */
  operation: string;
  /** The JSON body, or the query protocol's form decoded by the model (numbers, lists, structures). */
  input: unknown;
}

export type AwsAnswer = { output: unknown } | { error: { code: string; message: string } };
export type Handler = (input: unknown) => AwsAnswer;

export interface AwsEndpoint {
  url: string;
  requests: EndpointRequest[];
  /** What reached the endpoint that AWS would refuse: inputs its models reject, bad signatures. */
  problems: string[];
  close: () => Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Access key -> secret key and session token, of every credential the tests sign with. */
function knownCredentials(): Map<string, { secret: string; token?: string }> {
  const fixture = JSON.parse(
    readFileSync(join(here, '../orb/fixtures/assume-role-with-web-identity.json'), 'utf8'),
  ) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } };
  const session = fixture.Credentials;
  return new Map([
    [THROWAWAY_CREDENTIALS.accessKeyId, { secret: THROWAWAY_CREDENTIALS.secretAccessKey }],
    [session.AccessKeyId, { secret: session.SecretAccessKey, token: session.SessionToken }],
  ]);
}

/** The service each JSON target prefix and each query API version belongs to. */
function protocolIndex() {
  const targets = new Map<string, ServiceName>();
  const versions = new Map<string, ServiceName>();
  for (const service of serviceNames) {
    const model = serviceModel(service);
    if (service === 'ecr' || service === 'ecs') targets.set(model.serviceTarget, service);
    else versions.set(model.version, service);
  }
  return { targets, versions };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string | Buffer, text: string) =>
  createHmac('sha256', key).update(text, 'utf8').digest();

/**
 * Checks a request's Signature Version 4 (AWS's "Create a signed AWS API request": canonical
 * request, string to sign, derived key) and that it carries the session token of its credentials.
 */
export function signatureProblem(
  request: { method: string; url: string; headers: IncomingMessage['headers']; body: string },
  service: string,
  credentials = knownCredentials(),
): string | undefined {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const authorization = header('authorization');
  if (authorization === undefined) return 'the request is not signed';
  const parts =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!parts) return `an Authorization header that is no SigV4 signature: ${authorization}`;
  const [, accessKey, day, region, signingName, signedHeaders, signature] = parts as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const known = credentials.get(accessKey);
  if (!known) return `signed with an access key no test gave out: ${accessKey}`;
  if (signingName !== service) return `signed for the service ${signingName}, not ${service}`;
  const amzDate = header('x-amz-date') ?? '';
  if (!amzDate.startsWith(day)) return `X-Amz-Date ${amzDate} is not of the scope's day ${day}`;
  const signed = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date'])
    if (!signed.includes(required)) return `the signature does not cover ${required}`;
  if (known.token !== undefined && header('x-amz-security-token') !== known.token)
    return 'the session token of the credentials is missing or wrong (X-Amz-Security-Token)';
  const [path = '/', query = ''] = request.url.split('?');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=').map((part) => encodeURIComponent(decodeURIComponent(part))))
    .map(([name = '', value = '']) => `${name}=${value}`)
    .sort()
    .join('&');
  const canonicalHeaders = signed
    .map((name) => `${name}:${(header(name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonical = [
    request.method,
    path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    sha256(request.body),
  ].join('\n');
  const scope = `${day}/${region}/${signingName}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${known.secret}`, day);
  for (const part of [region, signingName, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return expected === signature ? undefined : 'the signature does not match the request';
}

/**
 * The query protocol's form (`Parameters.member.1.ParameterKey=...`) as the structure it encodes,
 * read by the model's shapes: lists are `Name.member.N` (an empty list is `Name=`), maps
 * `Name.entry.N.key` / `.value`, numbers and booleans are text.
 */
export function decodeQuery(shape: Shape, form: Record<string, string>, prefix = ''): unknown {
  const under = (name: string) =>
    Object.keys(form).some((key) => key === name || key.startsWith(`${name}.`));
  switch (shape.type) {
    case 'structure': {
      const value: Record<string, unknown> = {};
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const name = prefix === '' ? member : `${prefix}.${member}`;
        if (under(name)) value[member] = decodeQuery(memberShape, form, name);
      }
      // Keys no member reads are unknown members, which the contract check must see.
      if (prefix === '')
        for (const key of Object.keys(form))
          if (!['Action', 'Version'].includes(key) && !(key.split('.')[0]! in shape.members))
            value[key.split('.')[0]!] = form[key];
      return value;
    }
    case 'list': {
      if (form[prefix] === '') return [];
      const items: unknown[] = [];
      for (let index = 1; under(`${prefix}.member.${index}`); index++)
        items.push(decodeQuery(shape.member, form, `${prefix}.member.${index}`));
      return items;
    }
    case 'map': {
      const entries: Record<string, unknown> = {};
      for (let index = 1; under(`${prefix}.entry.${index}`); index++)
        entries[form[`${prefix}.entry.${index}.key`] ?? ''] = decodeQuery(
          shape.value,
          form,
          `${prefix}.entry.${index}.value`,
        );
      return entries;
    }
    case 'number':
      return Number(form[prefix]);
    case 'boolean':
      return form[prefix] === 'true';
    default:
      return form[prefix];
  }
}

const xmlEscape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A value as the query protocol's XML answer writes it (structures as elements, lists as members). */
function toXml(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object' && value !== null)
    return Object.entries(value)
      .map(([key, item]) => `<${key}>${toXml(item)}</${key}>`)
      .join('');
  return xmlEscape(String(value));
}

function answerJson(response: ServerResponse, answer: AwsAnswer): void {
  if ('error' in answer) {
    response.writeHead(400, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': answer.error.code,
    });
    response.end(JSON.stringify({ __type: answer.error.code, message: answer.error.message }));
    return;
  }
  response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(answer.output));
}

function answerQuery(
  response: ServerResponse,
  namespace: string,
  operation: string,
  answer: AwsAnswer,
): void {
  if ('error' in answer) {
    response.writeHead(400, { 'content-type': 'text/xml' });
    response.end(
      `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${xmlEscape(answer.error.code)}</Code><Message>${xmlEscape(answer.error.message)}</Message></Error><RequestId>carbon-test</RequestId></ErrorResponse>`,
    );
    return;
  }
  response.writeHead(200, { 'content-type': 'text/xml' });
  response.end(
    `<${operation}Response xmlns="${namespace}"><${operation}Result>${toXml(answer.output)}</${operation}Result><ResponseMetadata><RequestId>carbon-test</RequestId></ResponseMetadata></${operation}Response>`,
  );
}

/** The operations that AWS takes unsigned. */
const UNSIGNED = new Set(['sts:AssumeRoleWithWebIdentity']);

/** Starts the endpoint; `handlers` are keyed `service:Operation`, as `ecr:DescribeRepositories`. */
export async function startAwsEndpoint(
  handlers: Record<string, Handler>,
  lifetimeMs = 60_000,
): Promise<AwsEndpoint> {
  const { targets, versions } = protocolIndex();
  const credentials = knownCredentials();
  const requests: EndpointRequest[] = [];
  const problems: string[] = [];
  const checkRequest = (
    service: ServiceName,
    operation: string,
    input: unknown,
    signed: string,
  ) => {
    const model = serviceModel(service).operations[operation];
    const where = `${service}:${operation}`;
    if (!model) {
      problems.push(`${where}: no such operation in AWS's model`);
      return;
    }
    const found: string[] = [];
    checkValue(model.input, input, '', found);
    problems.push(...found.map((problem) => `${where}: ${problem}`));
    if (!UNSIGNED.has(where) && signed !== '') problems.push(`${where}: ${signed}`);
  };
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const target = request.headers['x-amz-target'];
      const signature = (service: string) =>
        signatureProblem(
          { method: request.method ?? '', url: request.url ?? '/', headers: request.headers, body },
          service,
          credentials,
        ) ?? '';
      if (typeof target === 'string') {
        const [prefix = '', operation = ''] = target.split('.');
        const service = targets.get(prefix) ?? 'unknown';
        const input = body === '' ? {} : (JSON.parse(body) as unknown);
        requests.push({ service, operation, input });
        if (service === 'unknown')
          problems.push(`X-Amz-Target ${target}: no service of the models`);
        else checkRequest(service, operation, input, signature(service));
        const handler = handlers[`${service}:${operation}`];
        answerJson(
          response,
          handler
            ? handler(input)
            : { error: { code: 'UnknownOperationException', message: `no handler for ${target}` } },
        );
        return;
      }
      const form = Object.fromEntries(new URLSearchParams(body));
      const operation = form['Action'] ?? '';
      const service = versions.get(form['Version'] ?? '');
      if (!service) {
        requests.push({ service: 'unknown', operation, input: form });
        problems.push(`${operation}: no service of the models has the version ${form['Version']}`);
        answerQuery(response, '', operation, {
          error: { code: 'InvalidAction', message: 'unknown version' },
        });
        return;
      }
      const shape = serviceModel(service).operations[operation]?.input;
      const input = shape ? decodeQuery(shape, form) : form;
      requests.push({ service, operation, input });
      checkRequest(service, operation, input, signature(service));
      const handler = handlers[`${service}:${operation}`];
      answerQuery(
        response,
        serviceModel(service).xmlNamespace,
        operation,
        handler
          ? handler(input)
          : { error: { code: 'InvalidAction', message: `no handler for ${operation}` } },
      );
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = setTimeout(() => server.close(), lifetimeMs);
  stop.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    problems,
    close: () =>
      new Promise((resolve) => {
        clearTimeout(stop);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Writes `bin/aws`, a wrapper that runs a real AWS CLI with no configuration files of the machine
 * (an empty one in `home`) and no instance metadata: `lines` come first, then the CLI's own.
 */
function writeAwsWrapper(bin: string, home: string, what: string, lines: string[]): void {
  const config = join(home, 'aws-config');
  writeFileSync(config, '');
  const wrapper = join(bin, 'aws');
  writeFileSync(
    wrapper,
    [
      '#!/usr/bin/env bash',
      `# ${what}, only ever against the local test endpoint.`,
      `export AWS_CONFIG_FILE='${config}' AWS_SHARED_CREDENTIALS_FILE='${config}'`,
      'export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""',
      'unset AWS_PROFILE',
      ...lines,
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
}

/**
 * Puts an `aws` first on PATH (in `bin`) that runs Debian's real AWS CLI against the endpoint with
 * throw-away credentials and no configuration files. Fails the caller when the CLI is missing.
 */
export function installRealAws(bin: string, home: string, endpoint: AwsEndpoint): void {
  if (!existsSync(DEBIAN_AWS_CLI))
    throw new Error(`${DEBIAN_AWS_CLI} is missing: apt-get install awscli (CI's .ci/run does)`);
  writeAwsWrapper(bin, home, "Debian's AWS CLI", [
    `export AWS_ACCESS_KEY_ID='${THROWAWAY_CREDENTIALS.accessKeyId}' AWS_SECRET_ACCESS_KEY='${THROWAWAY_CREDENTIALS.secretAccessKey}'`,
    'unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL',
    `exec '${DEBIAN_AWS_CLI}' "$@" --endpoint-url '${endpoint.url}' --cli-connect-timeout 5 --cli-read-timeout 10`,
  ]);
}

/** What `aws --version` prints in cimg/aws:2026.04.1, the orb's executor. */
export const EXECUTOR_AWS_CLI_VERSION =
  'aws-cli/2.34.30 Python/3.13.11 Linux/6.8.0 exe/x86_64.ubuntu.24';

/**
 * The pip AWS CLI (v1, with botocore's current models): `CARBON_PIP_AWS` when set, else the first
 * `aws` on PATH that says aws-cli/1.
 */
export function pipAwsCli(): string {
  const candidates = [
    ...(process.env['CARBON_PIP_AWS'] ? [process.env['CARBON_PIP_AWS']] : []),
    ...(process.env['PATH'] ?? '').split(delimiter).map((folder) => join(folder, 'aws')),
  ];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (/^aws-cli\/1\./.test(`${version.stdout}${version.stderr}`)) return candidate;
  }
  throw new Error(
    "no pip AWS CLI (aws-cli/1.x) on PATH: pip install awscli (CI's .ci/run does), or set CARBON_PIP_AWS",
  );
}

/**
 * Puts an `aws` first on PATH (in `bin`) that runs the pip AWS CLI with no configuration files,
 * only ever against the local endpoint: it refuses to run unless AWS_ENDPOINT_URL names it (the
 * test's environment sets it, which the scripts' own ECS calls honour as well). It signs with
 * whatever credentials the job has (aws-login.sh's, from the STS fixture). Its version line is the
 * orb executor's: the version guard reads v2 release numbers, and v1's are another series.
 */
export function installPipAws(bin: string, home: string, endpoint: AwsEndpoint): void {
  writeAwsWrapper(bin, home, 'The pip AWS CLI', [
    `if [[ "\${AWS_ENDPOINT_URL:-}" != '${endpoint.url}' ]]; then`,
    `  echo "test aws: AWS_ENDPOINT_URL is not the local endpoint ${endpoint.url}" >&2; exit 99`,
    'fi',
    `[[ "$*" != --version ]] || { echo '${EXECUTOR_AWS_CLI_VERSION}'; exit 0; }`,
    `exec '${pipAwsCli()}' "$@" --cli-connect-timeout 5 --cli-read-timeout 10`,
  ]);
}

/**
 * An answer of a JSON-protocol operation as AWS sends it: the AWS CLI prints timestamps as dates,
 * the wire has seconds since the epoch. `value` is walked with the operation's output shape.
 */
export function onTheWire(service: ServiceName, operation: string, value: unknown): unknown {
  const walk = (shape: Shape, item: unknown): unknown => {
    if (item === null || item === undefined) return item;
    switch (shape.type) {
      case 'timestamp':
        return typeof item === 'string' ? Date.parse(item) / 1000 : item;
      case 'list':
        return Array.isArray(item) ? item.map((member) => walk(shape.member, member)) : item;
      case 'map':
        return typeof item === 'object'
          ? Object.fromEntries(
              Object.entries(item as object).map(([key, member]) => [
                key,
                walk(shape.value, member),
              ]),
            )
          : item;
      case 'structure':
        return typeof item === 'object' && !Array.isArray(item)
          ? Object.fromEntries(
              Object.entries(item as object).map(([key, member]) => [
                key,
                shape.members[key] ? walk(shape.members[key], member) : member,
              ]),
            )
          : item;
      default:
        return item;
    }
  };
  const output = serviceModel(service).operations[operation]?.output;
  if (!output) throw new Error(`onTheWire: ${service} has no operation ${operation}`);
  return walk(output, value);
}
