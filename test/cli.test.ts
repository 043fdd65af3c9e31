// The command line as a user meets it: help, usage errors, and a workspace full of mistakes. The
// process contract (what the real `carbon` prints and exits with, its bundle, a read-only install)
// is tested here through the launcher, once; the rest runs the CLI's entry in this process.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA } from './helpers/schema.ts';
import { CARBON_BIN, REPO_ROOT, carbon, runCarbon } from './helpers/cli.ts';
import { copyOfCarbon } from './helpers/install.ts';
import { TEST_KEY, makeWorkspace, sampleConfig } from './helpers/workspace.ts';

describe('carbon CLI', () => {
  it('teaches with --help and exits 0', () => {
    const { code, stdout } = runCarbon(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: carbon <command> [options]');
    for (const word of ['generate', 'check', 'validate', 'run', '--version', 'Exit codes'])
      expect(stdout).toContain(word);
  });

  it('gives each command its own help, with its options and examples', async () => {
    const generate = await carbon(['generate', '--help']);
    const run = await carbon(['run', '--help']);
    expect(generate.code).toBe(0);
    expect(run.code).toBe(0);
    expect(generate.stdout).toContain('Usage: carbon generate [options]');
    expect(generate.stdout).toContain('--schema FILE');
    expect(generate.stdout).not.toContain('--dry-run');
    expect(run.stdout).toContain('Usage: carbon run <project>/<repository> <workflow> [options]');
    expect(run.stdout).toContain('--dry-run');
    expect(run.stdout).toContain('--param K=V');
    expect((await carbon(['help', 'run'])).stdout).toBe(run.stdout);
  });

  it('prints its version', () => {
    const { code, stdout } = runCarbon(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^carbon \d+\.\d+\.\d+\n$/);
  });

  it('shows the help on stderr and exits 2 when no command is given', () => {
    const { code, stdout, stderr } = runCarbon([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage:');
  });

  it.for([
    [['generat'], 'carbon: unknown command "generat" (did you mean "generate"?)'],
    [
      ['generate', '--rot', '.'],
      'carbon: carbon generate has no option --rot (did you mean --root?): see `carbon generate --help`',
    ],
    [['check', '--root'], 'carbon: --root needs a value: --root DIR'],
    [['check', '--help=yes'], 'carbon: --help takes no value (got "yes")'],
    [['check', 'extra'], 'carbon: unexpected argument "extra": see `carbon check --help`'],
    [['generate', '--keep'], 'carbon: --keep is an option of `carbon run` only'],
  ] as const)(
    'rejects %j in its own words, with the closest command or option, exit 2',
    async ([args, message]) => {
      const result = await carbon([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('ERR_PARSE_ARGS');
    },
  );

  it('finds the workspace from any subfolder, as git does', async () => {
    const result = await carbon(['check'], { cwd: join(REPO_ROOT, 'generated', 'taxaroo') });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('10 generated files are up to date\n');
  });

  it('says when --root is missing or a file', async () => {
    const missing = await carbon(['check', '--root', 'no/such/folder']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `carbon: --root no/such/folder: there is no folder ${join(REPO_ROOT, 'no/such/folder')}\n`,
    );
    const file = await carbon(['check', '--root', 'README.md']);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('is a file, not a workspace folder');
  });

  it('reports every mistake of a workspace in one run, located, exits 2 and writes nothing', () => {
    const root = makeWorkspace({
      'carbon.config.ts': sampleConfig("circleci: { scheduling: 'schedule-triggers' }"),
      'projects/taxaroo.ts': [
        'exports const taxaroo = {',
        "  id: 'taxaroo',",
        "  name: 'Taxaroo',",
        '  repositories: [',
        '    {',
        "      id: 'Taxaroo-API-V2',",
        "      name: 'Taxaroo API',",
        '      build: {',
        "        carbonRepo: 'Taxaroo-Carbn',",
        "        branch: 'develop;id',",
        "        branches: { 'Taxaroo-Ap': 'develop' },",
        '      },',
        "      sync: [{ direction: 'local', cron: '0 * * * MON', branches: { origin: 'develop', local: 'sync/develop' } }],",
        "      local: { git: 'github.com/BlackstoneStudio/Taxaroo-API-V2.git', defaultBranch: 'develop' },",
        "      origin: { git: 'github.com/Software-as-a-Service-LLC/taxaroo-api.git', defaultBranch: 'develop' },",
        '    },',
        "    { id: 'Taxaroo-App', name: 'Taxaroo App', local: { git: 'github.com/BlackstoneStudio/Taxaroo-App.git' } },",
        "    { id: 'Taxaroo-Carbon', name: 'Taxaroo Carbon', local: { git: 'github.com/BlackstoneStudio/Taxaroo-Carbon.git' } },",
        '  ],',
        '};',
        '',
      ].join('\n'),
      'projects/other.ts':
        "export const other = { id: 'taxaroo', name: 'Other', repositories: [{ id: 'X', name: 'X', local: { git: 'github.com/a/x.git' } }] };\n",
    });
    const before = readdirSync(root).sort();
    const { code, stdout, stderr } = runCarbon(['generate', '--root', root]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'projects/other.ts:1:24 - error duplicate-project-id: id: project id "taxaroo" is also used by the export "taxaroo" of projects/taxaroo.ts: project ids must be unique across the workspace, ignoring case',
      'projects/taxaroo.ts:1:1 - error exports-const: `exports const` is not valid TypeScript: write `export const` (export, without the s)',
      'projects/taxaroo.ts:2:3 - error duplicate-project-id: id: project id "taxaroo" is also used by the export "other" of projects/other.ts: project ids must be unique across the workspace, ignoring case',
      'projects/taxaroo.ts:9:9 - error unknown-carbon-repo: repositories[0].build.carbonRepo: carbonRepo "Taxaroo-Carbn" is no repository of project "taxaroo" (did you mean "Taxaroo-Carbon"?)',
      'projects/taxaroo.ts:10:9 - error invalid-branch: repositories[0].build.branch: "develop;id" is not a valid branch name: ";" is not allowed (use letters, digits, ".", "_", "/" and "-")',
      'projects/taxaroo.ts:11:21 - error unknown-linked-repository: repositories[0].build.branches.Taxaroo-Ap: "Taxaroo-Ap" is no repository of project "taxaroo" (did you mean "Taxaroo-App"?)',
      'projects/taxaroo.ts:13:36 - error invalid-cron: repositories[0].sync[0].cron: "0 * * * MON" names a day: write 1 for MON',
      '7 errors, 0 warnings',
    ]);
    expect(readdirSync(root).sort()).toEqual(before);
  });

  it('prints warnings but succeeds when there is no error', async () => {
    const module =
      "export const acme = { id: 'acme', name: 'Acme', repositories: [{ id: 'Api', name: 'Api', build: { carbonRepo: 'Infrastructure' }, local: { git: 'github.com/acme/api.git' } }] };\n";
    const root = makeWorkspace({
      'carbon.config.ts': `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/acme': '${TEST_KEY}' } } };\n`,
      'projects/acme.ts': module,
    });
    const { code, stderr } = await carbon(['generate', '--root', root]);
    const column = module.indexOf('carbonRepo') + 1;
    expect(stderr).toContain(
      `projects/acme.ts:1:${column} - warning carbon-repo-outside-project: repositories[0].build.carbonRepo:`,
    );
    expect(stderr).toContain('0 errors, 1 warning');
    expect(code).toBe(0);
  });

  it('says when --schema is a folder, not JSON or not a JSON schema, exit 2', async () => {
    const folder = await carbon(['check', '--schema', 'src']);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(
      `the CircleCI schema at ${join(REPO_ROOT, 'src')} (--schema) is a folder`,
    );
    const root = makeWorkspace({
      'bad.json': 'not json\n',
      'odd.json': '{ "properties": { "version": 5, "jobs": {}, "workflows": {}, "orbs": {} } }\n',
      'any.json': '{}\n',
    });
    const text = await carbon(['check', '--schema', join(root, 'bad.json')], {
      env: { CARBON_CACHE: '0' },
    });
    expect(text.code).toBe(2);
    expect(text.stderr).toContain(`the CircleCI schema ${join(root, 'bad.json')} is not JSON`);
    // Checked against JSON Schema's meta-schema: only the pinned schema is trusted without it.
    const odd = await carbon(['check', '--schema', join(root, 'odd.json')], {
      env: { CARBON_CACHE: '0' },
    });
    expect(odd.code, odd.stderr).toBe(2);
    expect(odd.stderr).toContain(
      `the CircleCI schema ${join(root, 'odd.json')} is not a JSON schema ajv can compile: schema is invalid: data/properties/version must be object,boolean`,
    );
    // A JSON schema, but not CircleCI's: {} would accept every file.
    for (const command of ['check', 'validate']) {
      const any = await carbon([command, '--schema', join(root, 'any.json')], {
        env: { CARBON_CACHE: '0' },
      });
      expect(any.code, any.stderr).toBe(2);
      expect(any.stderr).toContain(
        `the CircleCI schema ${join(root, 'any.json')} is not CircleCI's config schema: it describes no version, jobs, workflows, orbs of a config`,
      );
    }
  });

  it('runs its bundle as strict code, as the ES modules it is built from are (and the tests run)', () => {
    // Which files the run loads as CommonJS: the bundle's cli.js and worker.js.
    const root = makeWorkspace({});
    const loaded = join(root, 'loaded.txt');
    const preload = join(root, 'preload.cjs');
    writeFileSync(
      preload,
      `const Module = require('node:module');\nconst compile = Module.prototype._compile;\nModule.prototype._compile = function (content, filename) { require('node:fs').appendFileSync(${JSON.stringify(loaded)}, filename + '\\n'); return compile.call(this, content, filename); };\n`,
    );
    const run = spawnSync(process.execPath, ['--require', preload, CARBON_BIN, '--version'], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const bundle = readFileSync(loaded, 'utf8')
      .split('\n')
      .filter((file) => /[\\/]cli-[^\\/]+[\\/]cli\.js$/.test(file));
    expect(bundle).toHaveLength(1);
    // Compiled, not run: a `with` statement is a syntax error in strict code only.
    const body = (text: string) => () => new Script(`(function () {${text}\nwith ({}) {}\n})`);
    expect(body('"use strict";')).toThrow('Strict mode code may not include a with statement');
    expect(body('')).not.toThrow();
    expect(body(readFileSync(bundle[0]!, 'utf8'))).toThrow(
      'Strict mode code may not include a with statement',
    );
  });

  it('runs from a read-only install: the bundle is built in the temporary folder', () => {
    // A copy of Carbon whose node_modules/.cache cannot be written (chattr +i binds root too).
    const install = copyOfCarbon();
    const locked = spawnSync('chattr', ['+i', join(install, 'node_modules/.cache')]).status === 0;
    expect(locked, 'chattr +i is needed to make a folder read-only for root').toBe(true);
    try {
      const result = spawnSync(process.execPath, [join(install, 'bin/carbon.mjs'), 'check'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, CARBON_CIRCLECI_SCHEMA: SCHEMA },
      });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('generated files are up to date');
    } finally {
      spawnSync('chattr', ['-i', join(install, 'node_modules/.cache')]);
    }
  });
});
