// `carbon init` as a newcomer runs it: a workspace that generates with no error and no warning, a
// documented config, the CI check valid for CircleCI, what git ignores checked by git itself, and
// never a file replaced without --force.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SCHEMA } from '../helpers/schema.ts';
import { validateAgainstSchema } from '../../src/validate/schema.ts';
import { REPO_ROOT, carbon } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';
import { commentText, expectEveryFieldDocumented, tree } from './helpers.ts';

const FILES = [
  'carbon.config.ts',
  'projects/example.ts',
  '.gitignore',
  '.circleci/config.yml',
  'package.json',
  'tsconfig.json',
];

function git(cwd: string, ...args: string[]) {
  return spawnSync('git', args, { cwd, encoding: 'utf8' });
}

/** Uncomments the AWS account of a new workspace's carbon.config.ts: builds are then enabled. */
function setAccount(root: string): void {
  const config = join(root, 'carbon.config.ts');
  writeFileSync(
    config,
    readFileSync(config, 'utf8').replace(
      "// accountId: '123456789012'",
      "accountId: '123456789012'",
    ),
  );
}

/** An AWS account and a project that builds, generated: the path of its config. */
async function withBuild(root: string): Promise<string> {
  setAccount(root);
  const args = ['new', 'acme', 'file:///srv/git/web.git', 'file:///srv/git/acme-carbon.git'];
  expect((await carbon(args, { cwd: root })).code).toBe(0);
  const generated = await carbon(['generate'], { cwd: root });
  expect(generated.code, generated.stderr).toBe(0);
  return 'generated/acme/web/.circleci/config.yml';
}

describe('carbon init', () => {
  it('writes a workspace that generates with no error and no warning, and says what comes next', async () => {
    const parent = makeWorkspace({});
    const result = await carbon(['init', 'agency'], { cwd: parent });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const root = join(parent, 'agency');
    expect(result.stdout).toContain(FILES.map((file) => `wrote agency/${file}\n`).join(''));
    expect(result.stdout).toContain('a new Carbon workspace in agency\n');
    expect(result.stdout).toContain('1. cd agency && npm install');
    expect(result.stdout).toContain(
      '2. edit projects/example.ts, or add a project: npm run carbon -- new',
    );
    expect(result.stdout).toContain('3. npm run generate');
    // No command it prints can fetch npm's unrelated package named carbon.
    expect(result.stdout).not.toContain('npx');
    expect(result.stdout).toContain(
      'the configs carry the orb inline, since no orb namespace is set',
    );
    expect(result.stdout).toContain('4. git init && git add -A && git commit');
    expect(Object.keys(tree(root)).sort()).toEqual([...FILES].sort());

    const generated = await carbon(['generate'], { cwd: root });
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    expect(generated.stdout).toContain('wrote orb.yml\n');
    const checked = await carbon(['check'], { cwd: root });
    expect(checked.code, checked.stderr).toBe(0);
    const listed = await carbon(['ls'], { cwd: root, env: { COLUMNS: '' } });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('example  example-app     disabled');
    // No namespace was chosen: the configs reference none, they carry the orb.
    const config = readFileSync(join(root, await withBuild(root)), 'utf8');
    expect((parse(config) as { orbs: { carbon: unknown } }).orbs.carbon).toMatchObject({
      jobs: { CarbonSync: {} },
    });
    expect(config).not.toMatch(/blackstone/i);
    const orb = readFileSync(join(root, 'orb.yml'), 'utf8');
    expect(orb).not.toMatch(/blackstone\//);
    expect(orb.split('\n').slice(1, 3)).toEqual([
      "# The orb carbon@1.0.0, packed from Carbon's orb templates (templates/orb/ in Carbon's source).",
      '# What the orb does comes with Carbon: to change it, change templates/orb/ in a fork of Carbon and install that (`carbon init --package SPEC`), set orb.version to a new version and run `npm run generate`.',
    ]);
  });

  it('sets the orb namespace it is given: the configs reference the orb published there', async () => {
    const root = makeWorkspace({});
    const result = await carbon(['init', '--orb-namespace', 'acme-agency'], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('no orb namespace is set');
    const text = readFileSync(join(root, 'carbon.config.ts'), 'utf8');
    expect(text).toMatch(/\n {4}namespace: 'acme-agency',\n/);
    const config = readFileSync(join(root, await withBuild(root)), 'utf8');
    expect(config).toContain('carbon: acme-agency/carbon@1.0.0');
    expect(readFileSync(join(root, 'orb-versions.yml'), 'utf8')).toMatch(/1\.0\.0: sha256:/);

    const refused = await carbon(['init', '--orb-namespace', 'Acme Agency'], {
      cwd: makeWorkspace({}),
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--orb-namespace: "Acme Agency" is not a valid orb namespace or name',
    );
  });

  it('with --package in a workspace, changes only the Carbon package.json installs', async () => {
    const root = makeWorkspace({});
    expect((await carbon(['init'], { cwd: root })).code).toBe(0);
    setAccount(root);
    rmSync(join(root, 'projects/example.ts'));
    writeFileSync(join(root, 'projects/acme.ts'), 'export const acme = {};\n');
    const manifest = join(root, 'package.json');
    const mine = { ...JSON.parse(readFileSync(manifest, 'utf8')), description: 'ours' };
    writeFileSync(manifest, JSON.stringify(mine));
    const before = tree(root);
    for (const args of [['--package'], ['--force', '--package']]) {
      const result = await carbon(['init', ...args, 'github:acme/carbon#v2.0.0'], { cwd: root });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(
        "wrote package.json\n\nTo do:\n  - run npm install: it installs Carbon from github:acme/carbon#v2.0.0 and records it in\n    package-lock.json, which CI's `npm ci` reads\n",
      );
      const after = tree(root);
      const { ['package.json']: written, ...rest } = after;
      const { ['package.json']: _, ...restBefore } = before;
      expect(rest).toEqual(restBefore);
      expect(JSON.parse(written!)).toEqual({
        ...mine,
        devDependencies: { ...mine.devDependencies, carbon: 'github:acme/carbon#v2.0.0' },
      });
    }
  });

  it('documents every workspace setting, each commented out under what it means, with defineConfig', async () => {
    const root = makeWorkspace({});
    expect((await carbon(['init'], { cwd: root })).code).toBe(0);
    const text = readFileSync(join(root, 'carbon.config.ts'), 'utf8');
    expect(text).toContain(
      "import { defineConfig } from 'carbon';\n\nexport default defineConfig({\n",
    );
    const comments = commentText(text);
    expect(
      expectEveryFieldDocumented(text, [
        'CarbonConfig',
        'OrbSettings',
        'CircleCISettings',
        'ConfigRepository',
        'AwsSettings',
        'GitSettings',
        'JiraSettings',
      ]),
    ).toBeGreaterThan(20);
    // Every default is in a comment, and what is not commented out sets nothing.
    expect(comments).toContain('By default `registry` when a namespace is set, else `inline`.');
    expect(text).toContain("    // namespace: 'acme-agency',\n");
    expect(text).toContain("    // version: '1.0.0',\n");
    const live = text.split('\n').filter((line) => !/^\s*\/\//.test(line) && /:/.test(line));
    expect(live.map((line) => line.trim())).toEqual([
      'orb: {',
      'circleci: {',
      'aws: {',
      'git: {',
      'jira: {',
    ]);
  });

  it('writes a CI check that CircleCI accepts: npm ci, the schema, then carbon check', async () => {
    const root = makeWorkspace({});
    await carbon(['init'], { cwd: root });
    const config = parse(readFileSync(join(root, '.circleci/config.yml'), 'utf8')) as {
      jobs: Record<string, { steps: unknown[] }>;
      workflows: Record<string, { jobs: string[] }>;
    };
    expect(validateAgainstSchema(SCHEMA, config)).toEqual([]);
    // A value CircleCI refuses is found: the validation can fail.
    expect(validateAgainstSchema(SCHEMA, { ...config, version: 'two' })).not.toEqual([]);
    const commands = config.jobs['check']!.steps.flatMap((step) =>
      typeof step === 'object' && step !== null && 'run' in step
        ? [(step as { run: { command: string } }).run.command]
        : [],
    );
    expect(commands).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run carbon -- fetch-schema',
      'npm run check',
    ]);
    // Carbon's check insists on the schema in CI, as Carbon's own CI does, and runs with V8's
    // thread pool sized to the machine, as Carbon's own npm scripts do.
    expect(config.jobs['check']).toMatchObject({
      environment: { CARBON_REQUIRE_SCHEMA: '1', NODE_OPTIONS: '--v8-pool-size=1' },
    });
    const scripts = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    for (const name of ['generate', 'check', 'validate', 'carbon'])
      expect(scripts[name]).toMatch(/^node --v8-pool-size=1 bin\/carbon\.mjs\b/);
    expect(config.workflows['check']!.jobs).toEqual(['check']);
  });

  it('makes git ignore what Carbon and npm leave behind, and nothing of the settings', async () => {
    const root = makeWorkspace({});
    await carbon(['init'], { cwd: root });
    const generated = await carbon(['generate'], { cwd: root });
    expect(generated.code).toBe(0);
    const written = [...generated.stdout.matchAll(/^wrote (\S+)$/gm)].map((match) => match[1]!);
    expect(written).toContain('orb.yml');
    git(root, 'init', '-q');
    for (const path of ['node_modules/carbon/x.js', '.carbon/cache', 'site/index.html'])
      expect(git(root, 'check-ignore', '-q', path).status, path).toBe(0);
    const status = git(root, 'status', '--porcelain', '-uall').stdout;
    expect(status.split('\n').filter(Boolean).sort()).toEqual(
      [...FILES, ...written].map((file) => `?? ${file}`).sort(),
    );
  });

  it('installs Carbon through package.json: the running one by default, or the spec given', async () => {
    const root = makeWorkspace({});
    await carbon(['init'], { cwd: root });
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string> & { carbon: string };
      scripts: Record<string, string>;
    };
    expect(manifest.devDependencies.carbon).toMatch(/^file:/);
    expect(resolve(root, manifest.devDependencies.carbon.slice('file:'.length))).toBe(REPO_ROOT);
    // The tsc that tsconfig.json is for: the TypeScript Carbon is checked with.
    const carbonManifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(manifest.devDependencies).toEqual({
      carbon: manifest.devDependencies.carbon,
      typescript: carbonManifest.devDependencies['typescript'],
    });
    expect(manifest.scripts).toMatchObject({
      typecheck: 'tsc -p .',
      carbon: 'carbon',
      generate: 'carbon generate',
      check: 'carbon check',
    });

    const other = makeWorkspace({});
    const given = await carbon(['init', '--package', 'github:BlackstoneStudio/carbon#v2.0.0'], {
      cwd: other,
    });
    expect(given.code).toBe(0);
    expect(given.stdout).not.toContain('a folder CI does not have');
    expect(readFileSync(join(other, 'package.json'), 'utf8')).toContain(
      '"carbon": "github:BlackstoneStudio/carbon#v2.0.0"',
    );
    expect((await carbon(['init'], { cwd: makeWorkspace({}) })).stdout).toContain(
      'a folder CI does not have',
    );
  });

  it('type-checks with tsc against Carbon itself, every commented example included', async () => {
    const root = makeWorkspace({});
    await carbon(['init'], { cwd: root });
    mkdirSync(join(root, 'node_modules'));
    spawnSync('ln', ['-s', REPO_ROOT, join(root, 'node_modules', 'carbon')]);
    // One tsc over three sets of modules (tsc spends its time on Carbon's own types, once): the
    // workspace as init wrote it, every commented example uncommented beside it (projects/live/),
    // and one of those with a mistake (projects/wrong/). Only the mistake may be reported.
    const { readSettingsDocs } = await import('../../src/scaffold/docs.ts');
    const { configModule } = await import('../../src/scaffold/config-module.ts');
    const { exampleRepositories, projectText } = await import('../../src/scaffold/new.ts');
    const { planRepositories } = await import('../../src/scaffold/repositories.ts');
    const { parseConfig } = await import('../../src/settings/parse.ts');
    const docs = await readSettingsDocs();
    mkdirSync(join(root, 'projects/live'));
    mkdirSync(join(root, 'projects/wrong'));
    writeFileSync(join(root, 'projects/live/carbon.config.ts'), configModule(docs, { live: true }));
    for (const [id, plan] of [
      ['example', planRepositories(exampleRepositories('example'))],
      ['nocarbon', planRepositories({ urls: ['github.com/a/web.git'], origins: [] })],
    ] as const) {
      const { text } = projectText(
        id,
        id,
        plan,
        'main',
        parseConfig(undefined).config,
        root,
        docs,
        {
          live: true,
        },
      );
      // No field left commented out (a field's line ends with a comma; a comment's with a stop).
      const commentedField = /^\s*\/\/ [\w'-]+: .*,$/m;
      expect(text).not.toMatch(commentedField);
      expect(
        projectText(id, id, plan, 'main', parseConfig(undefined).config, root, docs).text,
      ).toMatch(commentedField);
      writeFileSync(join(root, 'projects/live', `${id}.ts`), text);
    }
    // A mistake is found: the check can fail.
    const mistaken = readFileSync(join(root, 'projects/live/example.ts'), 'utf8').replace(
      'enabled: false',
      "enabled: 'no'",
    );
    expect(mistaken).toContain("enabled: 'no'");
    writeFileSync(join(root, 'projects/wrong/example.ts'), mistaken);
    const checked = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(checked.status).not.toBe(0);
    const errors = checked.stdout.split('\n').filter((line) => /^\S.*: error TS\d+:/.test(line));
    expect(errors.length, checked.stdout).toBeGreaterThan(0);
    for (const line of errors)
      expect(line, checked.stdout).toMatch(/^projects\/wrong\/example\.ts\(/);
    expect(checked.stdout).toContain("Type 'string' is not assignable to type 'boolean");
  });

  it('writes what prettier writes', async () => {
    const prettier = await import('prettier');
    const style = JSON.parse(readFileSync(join(REPO_ROOT, '.prettierrc.json'), 'utf8')) as object;
    const root = makeWorkspace({});
    await carbon(['init'], { cwd: root });
    expect(
      (
        await carbon(
          [
            'new',
            'acme',
            'github.com/a/acme-web.git',
            'github.com/a/acme-carbon.git',
            '--origin',
            'acme-web=github.com/c/web.git',
          ],
          { cwd: root },
        )
      ).code,
    ).toBe(0);
    for (const file of [...FILES.filter((f) => f !== '.gitignore'), 'projects/acme.ts']) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(await prettier.format(text, { ...style, filepath: join(root, file) }), file).toBe(
        text,
      );
    }
  });

  it('never replaces a file: it lists every one that exists and writes nothing, unless --force', async () => {
    const root = makeWorkspace({
      '.gitignore': 'dist/\n',
      'package.json': '{ "name": "mine" }\n',
      'README.md': '# Mine\n',
    });
    const before = tree(root);
    const refused = await carbon(['init'], { cwd: root });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `carbon: ${root} already has .gitignore, package.json: carbon init never replaces a file; ` +
        'move them away, or run `carbon init --force` to replace them. Nothing was written\n',
    );
    expect(tree(root)).toEqual(before);

    const forced = await carbon(['init', '--force'], { cwd: root });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toContain('node_modules/');
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('# Mine\n');
    expect((await carbon(['generate'], { cwd: root })).stderr).toBe('');
  });

  it.for<[string, string[], (root: string) => string]>([
    [
      'a file for DIR',
      ['notes.txt'],
      (root) => `${join(root, 'notes.txt')} is a file: give carbon init a folder`,
    ],
    [
      'a folder where a file goes',
      ['ws'],
      (root) => `${join(root, 'ws/.circleci')} is a file, where Carbon needs a folder`,
    ],
    [
      'a projects/ folder',
      ['projects'],
      (root) => `${join(root, 'projects')} is the projects/ folder of ${root}`,
    ],
    ['extra arguments', ['a', 'b'], () => 'unexpected argument "b": see `carbon init --help`'],
  ])('refuses %s, exit 2, and writes nothing', async ([, args, message]) => {
    const root = makeWorkspace({ 'notes.txt': 'x\n', 'ws/.circleci': 'not a folder\n' });
    const before = tree(root);
    const result = await carbon(['init', ...args], { cwd: root });
    expect(result.code, args.join(' ')).toBe(2);
    expect(result.stderr).toContain(`carbon: ${message(root)}`);
    expect(tree(root)).toEqual(before);
    expect(existsSync(join(root, 'projects'))).toBe(false);
  });

  it('is followed by carbon new and carbon generate: the first hour, end to end', async () => {
    const root = join(makeWorkspace({}), 'agency');
    expect((await carbon(['init', root])).code).toBe(0);
    setAccount(root);
    const created = await carbon([
      'new',
      'acme',
      'file:///srv/git/web.git',
      'file:///srv/git/acme-carbon.git',
      '--root',
      root,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const generated = await carbon(['generate'], { cwd: join(root, 'projects') });
    // The one thing left to say: OAuth cascades wait for a context holding a CircleCI token.
    expect(generated.stderr).toMatch(
      /^carbon\.config\.ts:\d+:\d+ - warning cascades-off: circleci: builds are not rebuilt when what they check out changes \(acme\/web on acme-carbon main\).*\n0 errors, 1 warning\n$/,
    );
    expect(generated.stdout).toContain('wrote generated/acme/web/.circleci/config.yml\n');
  });

  it('has help with its options, examples and exit codes', async () => {
    const help = await carbon(['init', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: carbon init [DIR] [options]');
    for (const text of [
      '--force',
      '--package SPEC',
      '--orb-namespace NAME',
      'node ~/carbon/bin/carbon.mjs init ../agency',
      'npm exec --package=github:BlackstoneStudio/carbon#main -- carbon init agency',
      'Exit codes: 0',
    ])
      expect(help.stdout).toContain(text);
    expect(help.stdout).not.toContain('npx');
  });
});
