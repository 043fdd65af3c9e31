// What the scaffolding tests share: the fields of the settings interfaces as types.ts declares them
// (read here with ts-morph, not through the code under test), the text of a module's comments, and
// a workspace's files, to show that a refusal wrote nothing.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Node, Project, type PropertySignature } from 'ts-morph';
import { expect } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';

export interface DeclaredField {
  /** `BuildSettings.branch`, `SyncRule.branches.origin`. */
  path: string;
  name: string;
  /** The JSDoc's text, on one line. */
  description: string;
}

/** Every field of the named interfaces of src/settings/types.ts, nested type literals included. */
export function declaredFields(interfaces: string[]): DeclaredField[] {
  const project = new Project({ useInMemoryFileSystem: true });
  const source = project.createSourceFile(
    'types.ts',
    readFileSync(join(REPO_ROOT, 'src/settings/types.ts'), 'utf8'),
  );
  const fields: DeclaredField[] = [];
  const visit = (prefix: string, members: PropertySignature[]) => {
    for (const member of members) {
      const path = `${prefix}.${member.getName()}`;
      const description = (member.getJsDocs()[0]?.getDescription() ?? '').replace(/\s+/g, ' ');
      fields.push({ path, name: member.getName(), description: description.trim() });
      const type = member.getTypeNode();
      if (type && Node.isTypeLiteral(type)) visit(path, type.getProperties());
    }
  };
  for (const name of interfaces) visit(name, source.getInterfaceOrThrow(name).getProperties());
  return fields;
}

/** The comments of a module as one text: `//` markers (nested ones too) gone, lines joined. */
export function commentText(text: string): string {
  return text
    .split('\n')
    .filter((line) => /^\s*\/\/ /.test(line))
    .map((line) => line.replace(/^\s*(?:\/\/\s*)+/, ''))
    .join(' ')
    .replace(/\s+/g, ' ');
}

/** Whether a field is written in a module, live or commented out: `key:` at the start of a line. */
export function writesField(text: string, name: string): boolean {
  return new RegExp(`^\\s*(?://\\s*)*'?${name}'?: `, 'm').test(text);
}

/** Every file under a folder with its content: a refusal must leave it as it was. */
export function tree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (path.includes(`${join(root, 'node_modules')}`)) continue;
    files[path.slice(root.length + 1)] = readFileSync(path, 'utf8');
  }
  return files;
}

/** A carbon.config.ts with an AWS account, and keys for the owners given (`github.com/Owner`). */
export function configWith(keys: string[] = [], more = ''): string {
  const fingerprint = 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk';
  const sshKeys = keys.map((key) => `'${key}': '${fingerprint}'`).join(', ');
  return `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { ${sshKeys} } }${more} };\n`;
}

/**
 * That a module writes every field of the interfaces (live or commented out) and has each field's
 * documentation among its comments. Returns how many fields that is.
 */
export function expectEveryFieldDocumented(text: string, interfaces: string[]): number {
  const comments = commentText(text);
  const fields = declaredFields(interfaces);
  for (const field of fields) {
    expect(writesField(text, field.name), field.path).toBe(true);
    expect(comments, field.path).toContain(field.description);
  }
  return fields.length;
}
