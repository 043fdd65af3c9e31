// AWS's own service models of ECR, ECS, STS and CloudFormation, as the AWS SDK for JavaScript v3 ships them, turned
// into plain shapes that the contract checker (aws-contract.ts) walks.
//
// Where the models live in the packages:
// - the schemas (`<Shape>$` exports of each @aws-sdk/client-*, from dist-*/schemas/schemas_0.js):
//   structures with their member names and targets, lists, maps, and the operations
//   (`<Operation>$`: input and output structure). A structure is [3, namespace, name, traits,
//   member names, member targets, required count]: its first `required count` members are required
//   (how @smithy/core's own serializers read it);
// - the enums: their values are exported objects (dist-*/models/enums.js), and which member takes
//   which enum is written only in the type declarations (dist-types/models/models_*.d.ts), read
//   here with the TypeScript compiler.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as cloudformation from '@aws-sdk/client-cloudformation';
import * as ecr from '@aws-sdk/client-ecr';
import * as ecs from '@aws-sdk/client-ecs';
import * as sts from '@aws-sdk/client-sts';
import { NormalizedSchema } from '@smithy/core/schema';
import ts from 'typescript';

export type Shape =
  | { type: 'structure'; name: string; members: Record<string, Shape>; required: string[] }
  | { type: 'list'; member: Shape }
  | { type: 'map'; key: Shape; value: Shape }
  | { type: 'string'; enum?: string[] }
  | { type: 'number' | 'boolean' | 'timestamp' | 'blob' | 'document' };

export interface Operation {
  /** The API name, as DescribeRepositories. */
  name: string;
  input: Extract<Shape, { type: 'structure' }>;
  output: Extract<Shape, { type: 'structure' }>;
  /** The SDK has a paginator for it: the CLI then adds --starting-token, --page-size, --max-items. */
  paginated: boolean;
}

export interface ServiceModel {
  /** The CLI's name of the service: ecr, ecs, sts, cloudformation. */
  name: string;
  /** The service's protocol target: the JSON protocol's X-Amz-Target prefix. */
  serviceTarget: string;
  /** The API version, which the query protocol's requests carry (Version=...). */
  version: string;
  /** The XML namespace of the query protocol's answers. */
  xmlNamespace: string;
  /** By API operation name. */
  operations: Record<string, Operation>;
}

type Sdk = Record<string, unknown>;

const packages = {
  ecr: { sdk: ecr as Sdk, module: '@aws-sdk/client-ecr' },
  ecs: { sdk: ecs as Sdk, module: '@aws-sdk/client-ecs' },
  sts: { sdk: sts as Sdk, module: '@aws-sdk/client-sts' },
  cloudformation: { sdk: cloudformation as Sdk, module: '@aws-sdk/client-cloudformation' },
} as const;

export type ServiceName = keyof typeof packages;
export const serviceNames = Object.keys(packages) as ServiceName[];

const require = createRequire(import.meta.url);

const packageDir = (service: ServiceName) =>
  join(dirname(require.resolve(packages[service].module)), '..');

/** The version of the SDK package a model came from, for messages. */
export function modelVersion(service: ServiceName): string {
  const manifest = JSON.parse(readFileSync(join(packageDir(service), 'package.json'), 'utf8'));
  return `${packages[service].module}@${(manifest as { version: string }).version}`;
}

/** A setting of the client's protocol (serviceTarget, version...), read without making a client. */
function protocolSetting(service: ServiceName, name: string): string {
  const config = readFileSync(join(packageDir(service), 'dist-es/runtimeConfig.shared.js'), 'utf8');
  const found = new RegExp(`${name}: "([^"]+)"`).exec(config);
  if (!found) throw new Error(`aws-models: no ${name} in ${modelVersion(service)}`);
  return found[1]!;
}

/** (structure name, member name) -> enum values, from the package's type declarations. */
function enumMembers(service: ServiceName): Map<string, string[]> {
  const { sdk } = packages[service];
  const modelsDir = join(packageDir(service), 'dist-types/models');
  const enums = new Map<string, string[]>();
  const enumValues = (name: string): string[] | undefined => {
    const value = sdk[name];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const values = Object.values(value);
    return values.length > 0 && values.every((v) => typeof v === 'string') ? values : undefined;
  };
  // The enum a member's type names: `E`, `E[]` or `Partial<Record<K, E>>` (with `| undefined`).
  const enumOf = (type: ts.TypeNode): string[] | undefined => {
    if (ts.isUnionTypeNode(type)) {
      for (const part of type.types) {
        const found = enumOf(part);
        if (found) return found;
      }
      return undefined;
    }
    if (ts.isArrayTypeNode(type)) return enumOf(type.elementType);
    if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
      const name = type.typeName.text;
      if (name === 'Partial' || name === 'Record')
        return type.typeArguments?.at(-1) ? enumOf(type.typeArguments.at(-1)!) : undefined;
      return enumValues(name);
    }
    return undefined;
  };
  for (const file of readdirSync(modelsDir).filter((name) => /^models_\d+\.d\.ts$/.test(name))) {
    const source = ts.createSourceFile(
      file,
      readFileSync(join(modelsDir, file), 'utf8'),
      ts.ScriptTarget.Latest,
    );
    for (const statement of source.statements) {
      if (!ts.isInterfaceDeclaration(statement)) continue;
      for (const member of statement.members) {
        if (!ts.isPropertySignature(member) || !member.type || !ts.isIdentifier(member.name))
          continue;
        const values = enumOf(member.type);
        if (values) enums.set(`${statement.name.text}.${member.name.text}`, values);
      }
    }
  }
  return enums;
}

function toShape(
  schema: NormalizedSchema,
  enums: Map<string, string[]>,
  structures: Map<string, Shape>,
  enumValues?: string[],
): Shape {
  // An operation without input or output (CloudFormation has some): an empty structure.
  if (schema.isUnitSchema()) return { type: 'structure', name: 'Unit', members: {}, required: [] };
  if (schema.isListSchema())
    return {
      type: 'list',
      member: toShape(schema.getValueSchema(), enums, structures, enumValues),
    };
  if (schema.isMapSchema())
    return {
      type: 'map',
      key: toShape(schema.getKeySchema(), enums, structures),
      value: toShape(schema.getValueSchema(), enums, structures, enumValues),
    };
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    const raw = schema.getSchema() as unknown as unknown[];
    const name = String(raw[2]);
    const known = structures.get(name);
    if (known) return known;
    const structure: Shape = { type: 'structure', name, members: {}, required: [] };
    structures.set(name, structure); // before the members: the models are recursive
    const memberNames = raw[4] as string[];
    structure.required = memberNames.slice(0, typeof raw[6] === 'number' ? raw[6] : 0);
    for (const [member, memberSchema] of schema.structIterator()) {
      structure.members[member] = toShape(
        memberSchema,
        enums,
        structures,
        enums.get(`${name}.${member}`),
      );
    }
    return structure;
  }
  if (schema.isStringSchema())
    return enumValues ? { type: 'string', enum: enumValues } : { type: 'string' };
  if (schema.isBooleanSchema()) return { type: 'boolean' };
  if (schema.isTimestampSchema()) return { type: 'timestamp' };
  if (schema.isBlobSchema()) return { type: 'blob' };
  if (schema.isDocumentSchema()) return { type: 'document' };
  if (schema.isNumericSchema() || schema.isBigIntegerSchema() || schema.isBigDecimalSchema())
    return { type: 'number' };
  throw new Error(`aws-models: a shape of unknown kind: ${String(schema.getName())}`);
}

const loaded = new Map<ServiceName, ServiceModel>();

/** The model of one service (loaded once per test file). */
export function serviceModel(service: ServiceName): ServiceModel {
  const cached = loaded.get(service);
  if (cached) return cached;
  const { sdk } = packages[service];
  const enums = enumMembers(service);
  const structures = new Map<string, Shape>();
  const operations: Record<string, Operation> = {};
  for (const [exported, value] of Object.entries(sdk)) {
    // Operation schemas: [9, namespace, name, traits, input, output].
    if (!exported.endsWith('$') || !Array.isArray(value) || value[0] !== 9) continue;
    const name = String(value[2]);
    const resolve = (ref: unknown) =>
      toShape(
        NormalizedSchema.of((typeof ref === 'function' ? ref() : ref) as never),
        enums,
        structures,
      );
    const input = resolve(value[4]);
    const output = resolve(value[5]);
    operations[name] = {
      name,
      input:
        input.type === 'structure'
          ? input
          : { type: 'structure', name: 'Unit', members: {}, required: [] },
      output:
        output.type === 'structure'
          ? output
          : { type: 'structure', name: 'Unit', members: {}, required: [] },
      paginated: typeof sdk[`paginate${name}`] === 'function',
    };
  }
  const model = {
    name: service,
    serviceTarget: protocolSetting(service, 'serviceTarget'),
    version: protocolSetting(service, 'version'),
    xmlNamespace: protocolSetting(service, 'xmlNamespace'),
    operations,
  };
  loaded.set(service, model);
  return model;
}
