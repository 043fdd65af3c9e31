// What `carbon new` refuses, each with exit 2, a message saying what to do, and nothing written:
// a file that exists (unless --force), an id another module has (even in another case), ids and
// URLs that settings would refuse, arguments that do not fit, no workspace, a broken config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { carbon } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';
import { configWith, tree } from './helpers.ts';

const API = 'github.com/BlackstoneStudio/Acme-API.git';
const CARBON = 'github.com/BlackstoneStudio/Acme-Carbon.git';
const ACME = `export const acmeCo = {
  id: 'acme',
  name: 'Acme',
  repositories: [{ id: 'site', name: 'Site', local: { git: 'github.com/BlackstoneStudio/site.git' } }],
};
`;

/** `carbon new ARGS` in a workspace of `files`: exit 2, the message, and the workspace untouched. */
async function refused(
  files: Record<string, string>,
  args: string[],
  message: string,
): Promise<void> {
  const root = makeWorkspace(files);
  const before = tree(root);
  const result = await carbon(['new', ...args], { cwd: root });
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toContain('internal error');
  expect(tree(root)).toEqual(before);
}

const WORKSPACE = { 'carbon.config.ts': configWith() };

describe('carbon new refuses', () => {
  it('a module that exists, unless --force, which replaces it', async () => {
    const files = { ...WORKSPACE, 'projects/acme.ts': ACME };
    await refused(
      files,
      ['acme', API, CARBON],
      'carbon: projects/acme.ts exists: carbon new never replaces a file; choose another id, or run it with --force to replace the file\n',
    );
    const root = makeWorkspace(files);
    const forced = await carbon(['new', 'acme', API, CARBON, '--force'], { cwd: root });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(root, 'projects/acme.ts'), 'utf8')).toContain("id: 'Acme-API'");
    expect((await carbon(['generate'], { cwd: root })).code).toBe(0);
  });

  it('an id another module has, also in another case, even with --force', async () => {
    const files = { ...WORKSPACE, 'projects/clients.ts': ACME };
    await refused(
      files,
      ['acme', API, CARBON, '--force'],
      'carbon: project id "acme" is taken: projects/clients.ts (export acmeCo) has it; choose another id\n',
    );
    await refused(
      files,
      ['Acme', API, CARBON],
      'carbon: project id "Acme" differs only in case from "acme" of projects/clients.ts (export acmeCo)',
    );
  });

  it('ids that settings refuse', async () => {
    await refused(WORKSPACE, ['acme corp'], 'carbon: project id "acme corp" is not a valid id');
    await refused(WORKSPACE, ['_acme'], 'carbon: project id "_acme" is not a valid id');
    await refused(WORKSPACE, ['x'.repeat(101)], 'is 101 characters long');
    await refused(WORKSPACE, ['--', '-acme'], 'carbon: project id "-acme" is not a valid id');
  });

  it('git URLs that settings refuse, or one repository given twice', async () => {
    await refused(
      WORKSPACE,
      ['acme', 'github.com/BlackstoneStudio/Acme API.git'],
      'carbon: "github.com/BlackstoneStudio/Acme API.git" is not a git URL Carbon understands',
    );
    await refused(
      WORKSPACE,
      ['acme', API, 'git@github.com:BlackstoneStudio/acme-api'],
      `carbon: git@github.com:BlackstoneStudio/acme-api is given twice (as ${API}): give each repository once`,
    );
    await refused(
      WORKSPACE,
      ['acme', API, '--carbon', 'carbon'],
      'carbon: --carbon: "carbon" is not a git URL Carbon understands',
    );
    await refused(
      WORKSPACE,
      ['acme', 'file:///a/api.git', 'file:///b/api.git', 'file:///c/a-api.git'],
      'file:///a/api.git and file:///c/a-api.git would both be the repository "a-api": write the project\'s repositories by hand',
    );
  });

  it('two repositories that could each be the carbon repository', async () => {
    await refused(
      WORKSPACE,
      ['acme', API, CARBON, 'github.com/BlackstoneStudio/old-carbon.git'],
      'carbon: Acme-Carbon and old-carbon could each be the carbon repository (their names end in "carbon"): say which with --carbon URL',
    );
  });

  it('--origin pairs that do not fit', async () => {
    await refused(
      WORKSPACE,
      ['acme', API, '--origin', 'Acme-API'],
      'carbon: --origin Acme-API: write --origin REPOSITORY=URL',
    );
    await refused(
      WORKSPACE,
      ['acme', API, '--origin', 'Acme-AP=github.com/acme/api.git'],
      'carbon: --origin Acme-AP=github.com/acme/api.git: "Acme-AP" is none of the repositories given (did you mean "Acme-API"?); they are "Acme-API"',
    );
    await refused(
      WORKSPACE,
      ['acme', API, '--origin', 'Acme-API=api'],
      'carbon: --origin Acme-API=api: "api" is not a git URL Carbon understands',
    );
    await refused(
      WORKSPACE,
      [
        'acme',
        API,
        '--origin',
        'Acme-API=github.com/a/b.git',
        '--origin',
        'acme-api=github.com/a/c.git',
      ],
      'carbon: --origin: Acme-API is given two origins: give it one',
    );
    await refused(WORKSPACE, ['acme', '--origin', 'x=github.com/a/b.git'], 'give the git URLs too');
  });

  it('a --branch or --name that settings refuse, and no project id', async () => {
    await refused(
      WORKSPACE,
      ['acme', API, '--branch', 'a;b'],
      'carbon: --branch: "a;b" is not a valid branch name',
    );
    await refused(WORKSPACE, ['acme', API, '--name', ' '], 'carbon: --name is empty');
    await refused(
      WORKSPACE,
      [],
      'carbon: new takes the project id, then the git URLs of its repositories: see `carbon new --help`',
    );
  });

  it('a folder that is no workspace', async () => {
    await refused(
      { 'notes.txt': 'hello\n' },
      ['acme', API],
      'is no Carbon workspace (it has neither carbon.config.ts nor a settings module in projects/): run `carbon init`',
    );
  });

  it('a broken carbon.config.ts: its errors, located, and nothing written (not even projects/)', async () => {
    await refused(
      { 'carbon.config.ts': "export default { aws: { region: 'mars-1' } };\n" },
      ['acme', API, CARBON],
      'carbon.config.ts:1:25 - error invalid-aws-region: aws.region: "mars-1" is not an AWS region',
    );
    const root = makeWorkspace({
      'carbon.config.ts': "export default { aws: { region: 'mars-1' } };\n",
    });
    const result = await carbon(['new', 'acme', API], { cwd: root });
    expect(result.stderr).toContain('carbon new: fix carbon.config.ts first');
  });
});
