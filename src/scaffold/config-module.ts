// The text of a new workspace's carbon.config.ts: every field of the workspace settings, commented
// out with its default (or an example) under the documentation of types.ts. Uncommenting nothing
// gives every default; the groups are written as empty objects, which mean the same.
import { fieldsOf, type SettingsDocs } from './docs.ts';
import { LiteralWriter, comment, example, type Field } from './literal.ts';

export function configModule(
  docs: SettingsDocs,
  /** Write the commented examples live: how tests check that each would type-check. */
  options: { live?: boolean; orbNamespace?: string } = {},
): string {
  const writer = new LiteralWriter(docs, options);
  const config = fieldsOf(docs, 'CarbonConfig').map((key) => {
    const group = docs.get(key)!.holds;
    // A group (orb, aws...) is written as an empty object whose fields are each commented out.
    if (group === undefined) return example(docs, nameOf(key), key);
    const fields = groupFields(docs, group);
    // The namespace init was given is set, under the same documentation.
    const namespace = fields.find((field) => field.doc === 'OrbSettings.namespace');
    if (namespace && options.orbNamespace !== undefined) {
      namespace.value = options.orbNamespace;
      namespace.commented = false;
    }
    return { key: nameOf(key), doc: key, value: { object: fields } };
  });
  const header =
    'The settings of this Carbon workspace, written by `carbon init`. Every field has a default: ' +
    'each is commented out with its default (or an example) under what it means, and your editor ' +
    'shows the same text when you hover it. Builds need aws.accountId; syncs need a git.sshKeys ' +
    'entry that may push to their target.';
  const lines = [
    ...comment(header, ''),
    "import { defineConfig } from 'carbon';",
    '',
    ...writer.value({ object: config }, '', 'export default defineConfig('),
  ];
  lines[lines.length - 1] += ');';
  return `${lines.join('\n')}\n`;
}

/**
 * The fields of a group, each commented out with its example; a field that holds settings of its
 * own (circleci.configRepository) is commented out whole, with its fields' examples inside.
 */
function groupFields(docs: SettingsDocs, group: string): Field[] {
  return fieldsOf(docs, group).map((key) => {
    const holds = docs.get(key)!.holds;
    if (holds === undefined) return example(docs, nameOf(key), key);
    const fields = fieldsOf(docs, holds).map((inner) => ({
      ...example(docs, nameOf(inner), inner),
      commented: false,
    }));
    return { key: nameOf(key), doc: key, value: { object: fields }, commented: true };
  });
}

function nameOf(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}
