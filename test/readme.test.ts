// The README's examples are what Carbon prints. Each `<!-- output: NAME -->` block is the whole
// output of the command it shows, run here: init in a temporary folder, new in the workspace it
// made, ls on the sample, generate on a module with three mistakes. Each `<!-- excerpt: NAME -->`
// block shows part of an output: its lines, `...` left out, appear in the real output in that
// order. After changing what they print, `UPDATE_README=1 npx vitest run test/readme.test.ts`
// writes the whole-output blocks again (excerpts are edited by hand).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, carbon } from './helpers/cli.ts';
import { README, expectReadmeBlocks } from './helpers/readme.ts';
import type { ProjectListing } from '../src/inspect/listing.ts';
import { MINIMAL_CONFIG, TEST_KEY, makeWorkspace } from './helpers/workspace.ts';

const OUTPUT = /(<!-- output: ([\w-]+) -->\n\n```\n)([\s\S]*?)(```\n)/g;
const EXCERPT = /<!-- excerpt: ([\w-]+) -->\n\n```\n([\s\S]*?)```\n/g;
const COMPILES = /<!-- compiles: (project|config|provision) -->\n\n```ts\n([\s\S]*?)```\n/g;

/** A project for the README's carbon.config.ts example: one build, in the repository it names. */
const GITHUB_APP_PROJECT = `export const taxaroo = {
  id: 'taxaroo',
  name: 'Taxaroo',
  aws: { accountId: '123456789012' },
  repositories: [
    {
      id: 'Taxaroo-API-V2',
      name: 'Taxaroo API',
      build: { enabled: true, branch: 'develop', carbonRepo: 'Taxaroo-Carbon' },
      local: { git: 'github.com/BlackstoneStudio/Taxaroo-API-V2.git' },
    },
    {
      id: 'Taxaroo-Carbon',
      name: 'Taxaroo Carbon',
      local: { git: 'file:///srv/git/taxaroo-carbon.git' },
    },
  ],
};
`;

/** The project module of the README's example of errors: three mistakes, one of each kind. */
const MISTAKES = `import { defineProject } from 'carbon';

exports const acme = defineProject({
  id: 'acme',
  name: 'Acme',
  repositories: [
    {
      id: 'Acme-API',
      name: 'Acme API',
      build: { enabled: true, branch: 'develop;id', carbonRepo: 'Acme-Carbn' },
      local: { git: 'file:///srv/git/acme-api.git' },
    },
    { id: 'Acme-Carbon', name: 'Acme Carbon', local: { git: 'file:///srv/git/acme-carbon.git' } },
  ],
});
`;

/**
 * The command as the README writes it and what it printed (stdout, then stderr), with the expected
 * exit code. In a workspace Carbon runs as `npm run carbon --`; init, before there is one, from
 * Carbon's clone beside it.
 */
async function shown(args: string[], cwd: string, code = 0): Promise<string> {
  const result = await carbon(args, { cwd, env: { COLUMNS: '' } });
  expect(result.code, result.stderr).toBe(code);
  const command = args[0] === 'init' ? 'node carbon/bin/carbon.mjs' : 'npm run carbon --';
  return `$ ${command} ${args.join(' ')}\n${result.stdout}${result.stderr}`;
}

/** Each whole-output example, by name. */
async function outputs(): Promise<Record<string, string>> {
  const parent = makeWorkspace({});
  const init = ['init', 'agency', '--package', 'github:BlackstoneStudio/carbon#main'];
  const add = [
    'new',
    'acme',
    'github.com/BlackstoneStudio/Acme-API.git',
    'github.com/BlackstoneStudio/Acme-Carbon.git',
    '--origin',
    'Acme-API=github.com/acme-corp/api.git',
  ];
  const mistaken = makeWorkspace({
    'carbon.config.ts': MINIMAL_CONFIG,
    'projects/acme.ts': MISTAKES,
  });
  return {
    init: await shown(init, parent),
    new: await shown(add, join(parent, 'agency')),
    ls: await shown(['ls'], REPO_ROOT),
    'errors-module': `$ cat projects/acme.ts\n${MISTAKES}`,
    errors: await shown(['generate'], mistaken, 2),
  };
}

/** Each excerpt's command, run on the sample. */
const EXCERPT_COMMANDS: Record<string, string[]> = {
  'run-dry': ['run', 'taxaroo/Taxaroo-API-V2', 'carbon-sync-to-local-sync/develop', '--dry-run'],
  'run-cascade': ['run', 'taxaroo/Taxaroo-Carbon', 'carbon-cascade-develop', '--dry-run'],
};

describe('the README', () => {
  it('shows what carbon init, new, ls and generate print, whole', async () => {
    expectReadmeBlocks(OUTPUT, await outputs());
  });

  it('shows lines of carbon run --dry-run that it prints, in order', async () => {
    const text = readFileSync(README, 'utf8');
    const excerpts = [...text.matchAll(EXCERPT)];
    expect(excerpts.map((match) => match[1])).toEqual(Object.keys(EXCERPT_COMMANDS));
    for (const [, name, body] of excerpts) {
      const real = (await shown(EXCERPT_COMMANDS[name!]!, REPO_ROOT)).split('\n');
      let at = 0;
      for (const line of body!
        .split('\n')
        .filter((l) => l !== '' && !/^(\| )?\.\.\.$/.test(l.trim()))) {
        const index = real.indexOf(line, at);
        expect(
          index,
          `README excerpt ${name}: "${line}" is not printed (after line ${at})`,
        ).toBeGreaterThanOrEqual(0);
        at = index + 1;
      }
    }
  });

  it('shows settings that generate as they are', async () => {
    const found = [...readFileSync(README, 'utf8').matchAll(COMPILES)];
    // Each kind once: a second block of a kind would otherwise go unchecked.
    expect(found.map((m) => m[1]).sort()).toEqual(['config', 'project', 'provision']);
    const blocks = Object.fromEntries(found.map((m) => [m[1]!, m[2]!]));
    // The project example, with the sample's carbon.config.ts (its AWS account and SSH keys).
    const project = makeWorkspace({
      'carbon.config.ts': readFileSync(join(REPO_ROOT, 'carbon.config.ts'), 'utf8'),
      'projects/taxaroo.ts': blocks['project']!,
    });
    const first = await carbon(['generate'], { cwd: project });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    // The GitHub App carbon.config.ts example, with a project whose build it can name.
    const config = makeWorkspace({
      'carbon.config.ts': blocks['config']!,
      'projects/taxaroo.ts': GITHUB_APP_PROJECT,
    });
    const second = await carbon(['generate'], { cwd: config });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toBe('');
    // The provisioning example: each kind, with an account, the agency's key and the token of
    // its cascades.
    const provision = makeWorkspace({
      'carbon.config.ts': `export default { aws: { accountId: '123456789012' }, circleci: { cascadeContext: 'carbon-circleci' }, git: { sshKeys: { 'github.com/BlackstoneStudio': '${TEST_KEY}' } } };\n`,
      'projects/acme.ts': blocks['provision']!,
    });
    const third = await carbon(['ls', '--json'], { cwd: provision });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toBe('');
    const [acme] = JSON.parse(third.stdout) as ProjectListing[];
    expect(acme!.repositories.map((repository) => repository.build?.provision?.kind)).toEqual([
      'cloudformation',
      'hook',
      undefined,
    ]);
    expect(acme!.repositories[0]!.build).toMatchObject({
      deploy: { mode: 'none' },
      provision: { stack: 'acme-acme-api-develop', template: 'infra/api.yml' },
    });
  });
});
