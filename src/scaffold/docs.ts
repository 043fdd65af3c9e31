// The documentation of every settings field, read from the JSDoc of src/settings/types.ts: the
// text users see when they hover a field in their editor is also the comment `carbon init` and
// `carbon new` write above it, so the two can never say different things. ts-morph (about half a
// second to load) is imported only by these two commands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PropertySignature } from 'ts-morph';
import { PACKAGE_ROOT } from '../paths.ts';

export interface FieldDoc {
  /** What the field means, on one line. */
  text: string;
  /** The `@default` tag, as written (`'main'`, `local.defaultBranch`). */
  default?: string;
  /** The `@example` tag, as written. */
  example?: string;
  /** The settings interface the field holds (`OrbSettings` for `CarbonConfig.orb`), when it holds one. */
  holds?: string;
}

/** Docs by `Interface.field` (`BuildSettings.branch`), nested type literals by their path (`SyncRule.branches.origin`). */
export type SettingsDocs = ReadonlyMap<string, FieldDoc>;

const TYPES_FILE = join(PACKAGE_ROOT, 'src', 'settings', 'types.ts');

export async function readSettingsDocs(): Promise<SettingsDocs> {
  const { Project, Node } = await import('ts-morph');
  const project = new Project({ useInMemoryFileSystem: true });
  const source = project.createSourceFile('types.ts', readFileSync(TYPES_FILE, 'utf8'));
  const docs = new Map<string, FieldDoc>();
  const interfaces = new Set(source.getInterfaces().map((declaration) => declaration.getName()));
  const visit = (prefix: string, members: PropertySignature[]) => {
    for (const member of members) {
      const key = `${prefix}.${member.getName()}`;
      const doc = member.getJsDocs().at(-1);
      const type = member.getTypeNode();
      const holds = type && Node.isTypeReference(type) ? type.getTypeName().getText() : undefined;
      if (doc)
        docs.set(key, {
          ...fieldDoc(doc.getDescription(), doc.getTags()),
          ...(holds !== undefined && interfaces.has(holds) ? { holds } : {}),
        });
      if (type && Node.isTypeLiteral(type)) visit(key, type.getProperties());
    }
  };
  for (const declaration of source.getInterfaces())
    visit(declaration.getName(), declaration.getProperties());
  return docs;
}

function fieldDoc(
  description: string,
  tags: { getTagName(): string; getCommentText(): string | undefined }[],
): FieldDoc {
  const tag = (name: string) =>
    tags
      .find((candidate) => candidate.getTagName() === name)
      ?.getCommentText()
      ?.trim();
  const doc: FieldDoc = { text: oneLine(description) };
  const byDefault = tag('default');
  const example = tag('example');
  if (byDefault !== undefined) doc.default = oneLine(byDefault);
  if (example !== undefined) doc.example = oneLine(example);
  return doc;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The fields of a settings interface, in the order types.ts declares them: `Interface.field` keys. */
export function fieldsOf(docs: SettingsDocs, name: string): string[] {
  return [...docs.keys()].filter(
    (key) => key.startsWith(`${name}.`) && !key.slice(name.length + 1).includes('.'),
  );
}

/** The comment a field gets: what it means, then its default. */
export function commentOf(doc: FieldDoc): string {
  if (doc.default === undefined) return doc.text;
  const stop = /[.!?]$/.test(doc.text) ? '' : '.';
  return `${doc.text}${stop} Default: ${doc.default}.`;
}

/**
 * What a commented-out field shows: its `@example`, else its `@default` when that is a literal
 * (`'us-east-1'`, `[]`), as TypeScript text.
 */
export function exampleText(docs: SettingsDocs, key: string): string {
  const doc = docs.get(key);
  const literal = /^(?:'[^']*'|\d+|true|false|\[\]|\{\})$/;
  const text =
    doc?.example ??
    (doc?.default !== undefined && literal.test(doc.default) ? doc.default : undefined);
  if (text === undefined) throw new Error(`scaffold: ${key} has no example in types.ts`);
  return text;
}
