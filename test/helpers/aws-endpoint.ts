// A local AWS-shaped endpoint on 127.0.0.1 for running the orb's scripts with a real AWS CLI: it
// speaks the JSON 1.1 protocol of ECR and ECS (POST /, X-Amz-Target: <service target>.<Operation>)
// and the query protocol of STS (form-encoded Action=..., XML answers), records every request, and
// answers each operation from a handler the test gives, else with UnknownOperationException.
//
// The AWS CLI 2.9 that Debian ships knows --endpoint-url but not AWS_ENDPOINT_URL (added in 2.13):
// `installRealAws` puts an `aws` first on a sandbox's PATH that runs the real CLI with
// --endpoint-url, signing with throw-away credentials, so that nothing can reach AWS itself.
// The server listens on a random port and closes itself after `lifetimeMs` at the latest.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serviceModel, type ServiceName } from './aws-models.ts';

/** Debian's AWS CLI v2 (apt-get install awscli), the old one the version guard must stop. */
export const DEBIAN_AWS_CLI = '/usr/bin/aws';

export interface EndpointRequest {
  service: ServiceName | 'unknown';
  /** The API operation, as DescribeRepositories. */
  operation: string;
  /** The JSON body, or the query protocol's parameters. */
  input: unknown;
}

export type AwsAnswer = { output: unknown } | { error: { code: string; message: string } };
export type Handler = (input: unknown) => AwsAnswer;

export interface AwsEndpoint {
  url: string;
  requests: EndpointRequest[];
  close: () => Promise<void>;
}

const jsonTargets = (): Map<string, ServiceName> =>
  new Map(
    (['ecr', 'ecs'] as const).map((service) => [serviceModel(service).serviceTarget, service]),
  );

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
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

function answerQuery(response: ServerResponse, operation: string, answer: AwsAnswer): void {
  const namespace = 'https://sts.amazonaws.com/doc/2011-06-15/';
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

/** Starts the endpoint; `handlers` are keyed `service:Operation`, as `ecr:DescribeRepositories`. */
export async function startAwsEndpoint(
  handlers: Record<string, Handler>,
  lifetimeMs = 60_000,
): Promise<AwsEndpoint> {
  const targets = jsonTargets();
  const requests: EndpointRequest[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string') {
        const [prefix = '', operation = ''] = target.split('.');
        const service = targets.get(prefix) ?? 'unknown';
        const input = body === '' ? {} : (JSON.parse(body) as unknown);
        requests.push({ service, operation, input });
        const handler = handlers[`${service}:${operation}`];
        answerJson(
          response,
          handler
            ? handler(input)
            : { error: { code: 'UnknownOperationException', message: `no handler for ${target}` } },
        );
        return;
      }
      const input = Object.fromEntries(new URLSearchParams(body));
      const operation = input['Action'] ?? '';
      requests.push({ service: operation ? 'sts' : 'unknown', operation, input });
      const handler = handlers[`sts:${operation}`];
      answerQuery(
        response,
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
    close: () =>
      new Promise((resolve) => {
        clearTimeout(stop);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Puts an `aws` first on PATH (in `bin`) that runs Debian's real AWS CLI against the endpoint with
 * throw-away credentials and no configuration files. Fails the caller when the CLI is missing.
 */
export function installRealAws(bin: string, home: string, endpoint: AwsEndpoint): void {
  if (!existsSync(DEBIAN_AWS_CLI))
    throw new Error(`${DEBIAN_AWS_CLI} is missing: apt-get install awscli (CI's .ci/run does)`);
  const config = join(home, 'aws-config');
  writeFileSync(config, '');
  const wrapper = join(bin, 'aws');
  writeFileSync(
    wrapper,
    [
      '#!/usr/bin/env bash',
      '# The real AWS CLI, only ever against the local test endpoint.',
      `export AWS_CONFIG_FILE='${config}' AWS_SHARED_CREDENTIALS_FILE='${config}'`,
      "export AWS_ACCESS_KEY_ID='AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'",
      'export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""',
      'unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL',
      `exec '${DEBIAN_AWS_CLI}' "$@" --endpoint-url '${endpoint.url}' --cli-connect-timeout 5 --cli-read-timeout 10`,
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
}
