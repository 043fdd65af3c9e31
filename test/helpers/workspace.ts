// Temporary workspaces built from a map of files, removed after each test (test/helpers/setup.ts
// registers the removal for every test file: with files sharing a worker's modules, a hook
// registered here would run for the first file that imported this module only).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const created: string[] = [];

/** Removes the workspaces made since the last call. */
export function removeWorkspaces(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh directory with `files` (relative path -> content) written into it. */
export function makeWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'carbon-test-'));
  created.push(root);
  writeFiles(root, files);
  return root;
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/** A carbon.config.ts that satisfies builds: an AWS account. */
export const MINIMAL_CONFIG = "export default { aws: { accountId: '123456789012' } };\n";

/** A valid SSH key fingerprint for test settings. */
export const TEST_KEY = 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk';

/**
 * A carbon.config.ts for the sample project (projects/taxaroo.ts): an AWS account, a key for each
 * GitHub organisation its syncs push to and its builds clone from, and, as the sample's own, the
 * context of the token its OAuth cascades trigger builds with. `more` may add to `circleci`.
 */
export function sampleConfig(more = ''): string {
  const keys = `'github.com/BlackstoneStudio': '${TEST_KEY}', 'github.com/Software-as-a-Service-LLC': '${TEST_KEY}'`;
  const cascades = "cascadeContext: 'carbon-circleci'";
  const rest = more.startsWith('circleci: {')
    ? more.replace('circleci: {', `circleci: { ${cascades},`)
    : [`circleci: { ${cascades} }`, ...(more === '' ? [] : [more])].join(', ');
  return `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { ${keys} } }, ${rest} };\n`;
}

export const SAMPLE_CONFIG = sampleConfig();
