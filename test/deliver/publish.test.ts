// carbon publish with real git: local bare repositories behind file:// URLs stand in for GitHub.
// The branches CircleCI reads get the generated config with Carbon's header in a commit naming
// the workspace commit; a second publish commits nothing; a hand-written config is left alone
// (exit 2) while the other repositories are still published. The CLI runs in this process, but
// for a real one stopped by a signal.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARBON_BIN, carbon as carbonCli, type CliResult } from '../helpers/cli.ts';
import { bareRepository, branchTip, commit, git } from '../orb/git.ts';
import { createSandbox, type Sandbox } from '../orb/harness.ts';

interface Agency {
  sandbox: Sandbox;
  root: string;
  repos: { api: string; web: string; origin: string; carbon: string };
  workspaceCommit: string;
  carbon: (args: string[]) => Promise<CliResult>;
  /** The config on a branch of a bare repository, or undefined. */
  config: (repo: string, branch: string) => string | undefined;
  generated: (repository: string) => string;
}

async function agency(integration: 'oauth' | 'github-app' = 'oauth'): Promise<Agency> {
  const sandbox = createSandbox();
  const repos = {
    api: bareRepository(sandbox, 'api').path,
    web: bareRepository(sandbox, 'web').path,
    origin: bareRepository(sandbox, 'origin').path,
    carbon: bareRepository(sandbox, 'carbon').path,
  };
  // The API builds develop and runs its schedules on main; the web builds main.
  const base = commit(sandbox, repos.api, 'main', 'api');
  commit(sandbox, repos.api, 'develop', 'api develop', base);
  commit(sandbox, repos.web, 'main', 'web');
  const root = join(sandbox.root, 'agency');
  mkdirSync(join(root, 'projects'), { recursive: true });
  const app =
    integration === 'github-app'
      ? ", circleci: { integration: 'github-app', configRepository: { githubId: 1 } }"
      : '';
  writeFileSync(
    join(root, 'carbon.config.ts'),
    `export default { aws: { accountId: '123456789012' }${app} };\n`,
  );
  writeFileSync(
    join(root, 'projects', 'acme.ts'),
    `export const acme = {
  id: 'acme',
  name: 'Acme',
  repositories: [
    {
      id: 'Api',
      name: 'Acme API',
      build: { branch: 'develop', carbonRepo: 'Carbon' },
      sync: [{ direction: 'local', cron: '0 * * * *', branches: { origin: 'main', local: 'sync/main' } }],
      local: { git: 'file://${repos.api}', defaultBranch: 'main' },
      origin: { git: 'file://${repos.origin}' },
    },
    { id: 'Web', name: 'Acme Web', build: { carbonRepo: 'Carbon' }, local: { git: 'file://${repos.web}' } },
    { id: 'Carbon', name: 'Acme Carbon', local: { git: 'file://${repos.carbon}' } },
  ],
};
`,
  );
  const carbon = (args: string[]) =>
    carbonCli([...args, '--root', root], { env: { ...sandbox.baseEnv, CARBON_CACHE: '0' } });
  const generated = await carbon(['generate']);
  expect(generated.code, generated.stderr).toBe(0);
  git(sandbox, ['-C', root, 'init', '--quiet']);
  git(sandbox, ['-C', root, 'add', '--all']);
  git(sandbox, ['-C', root, 'commit', '--quiet', '-m', 'settings']);
  return {
    sandbox,
    root,
    repos,
    workspaceCommit: git(sandbox, ['-C', root, 'rev-parse', 'HEAD']),
    carbon,
    config: (repo, branch) => {
      try {
        return `${git(sandbox, ['-C', repo, 'cat-file', 'blob', `refs/heads/${branch}:.circleci/config.yml`])}\n`;
      } catch {
        return undefined;
      }
    },
    generated: (repository) =>
      git(sandbox, ['-C', root, 'show', `HEAD:generated/acme/${repository}/.circleci/config.yml`]) +
      '\n',
  };
}

/** A commit on `branch` holding a hand-written .circleci/config.yml. */
function handWritten(sandbox: Sandbox, repo: string, branch: string): string {
  const blob = git(
    sandbox,
    ['-C', repo, 'hash-object', '-w', '--stdin'],
    'version: 2.1\njobs: {}\n',
  );
  const folder = git(sandbox, ['-C', repo, 'mktree'], `100644 blob ${blob}\tconfig.yml\n`);
  const tree = git(sandbox, ['-C', repo, 'mktree'], `040000 tree ${folder}\t.circleci\n`);
  const parent = branchTip(sandbox, repo, branch)!;
  const sha = git(sandbox, ['-C', repo, 'commit-tree', tree, '-p', parent, '-m', 'our own CI']);
  git(sandbox, ['-C', repo, 'update-ref', `refs/heads/${branch}`, sha]);
  return sha;
}

describe('carbon publish', () => {
  it('commits the config into every branch CircleCI reads, naming the workspace commit; a second publish commits nothing', async () => {
    const a = await agency();
    const first = await a.carbon(['publish']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^acme\/Api develop: committed [0-9a-f]{12} and pushed it to develop$/m,
    );
    expect(first.stdout).toMatch(/^acme\/Api main: committed [0-9a-f]{12} and pushed it to main$/m);
    expect(first.stdout).toMatch(/^acme\/Web main: committed [0-9a-f]{12} and pushed it to main$/m);
    expect(first.stdout).toContain('Publish: 3 committed, 0 up to date, 0 left alone, 0 failed.');
    for (const [repo, branch, repository] of [
      [a.repos.api, 'develop', 'Api'],
      [a.repos.api, 'main', 'Api'],
      [a.repos.web, 'main', 'Web'],
    ] as const) {
      const config = a.config(repo, branch);
      expect(config).toBe(a.generated(repository));
      expect(config).toMatch(
        /^# Generated by Carbon: do not edit this file\.\n# Source: projects\/acme\.ts/,
      );
      const message = git(a.sandbox, [
        '-C',
        repo,
        'log',
        '-1',
        '--format=%B',
        `refs/heads/${branch}`,
      ]);
      expect(message).toContain(`at workspace commit ${a.workspaceCommit}`);
      // One commit on top of what was there: the README of the branch is kept.
      expect(
        git(a.sandbox, ['-C', repo, 'ls-tree', '-r', '--name-only', `refs/heads/${branch}`]),
      ).toBe('.circleci/config.yml\nREADME');
    }
    const tips = [
      branchTip(a.sandbox, a.repos.api, 'develop'),
      branchTip(a.sandbox, a.repos.web, 'main'),
    ];
    const second = await a.carbon(['publish']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Publish: 0 committed, 3 up to date, 0 left alone, 0 failed.');
    expect([
      branchTip(a.sandbox, a.repos.api, 'develop'),
      branchTip(a.sandbox, a.repos.web, 'main'),
    ]).toEqual(tips);
  });

  it('leaves a hand-written config alone with exit 2, and still publishes the other repositories', async () => {
    const a = await agency();
    const own = handWritten(a.sandbox, a.repos.web, 'main');
    const result = await a.carbon(['publish']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /^acme\/Web main: ! left alone: its \.circleci\/config\.yml has no Carbon header/m,
    );
    expect(branchTip(a.sandbox, a.repos.web, 'main')).toBe(own);
    expect(a.config(a.repos.api, 'develop')).toBe(a.generated('Api'));
    expect(result.stdout).toContain('Publish: 2 committed, 0 up to date, 1 left alone, 0 failed.');
  });

  it('pushes to a review branch with --via-branch, and leaves it as it is when it already holds the config', async () => {
    const a = await agency();
    const tip = branchTip(a.sandbox, a.repos.web, 'main');
    const apiTip = branchTip(a.sandbox, a.repos.api, 'main');
    const result = await a.carbon(['publish', 'acme/Web', '--via-branch', 'carbon/update']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^acme\/Web main: committed [0-9a-f]{12} and pushed it to carbon\/update$/m,
    );
    expect(branchTip(a.sandbox, a.repos.web, 'main')).toBe(tip);
    expect(a.config(a.repos.web, 'carbon/update')).toBe(a.generated('Web'));
    // Only the repository named was published.
    expect(branchTip(a.sandbox, a.repos.api, 'main')).toBe(apiTip);
    const review = branchTip(a.sandbox, a.repos.web, 'carbon/update');
    const again = await a.carbon(['publish', 'acme/Web', '--via-branch', 'carbon/update']);
    expect(again.stdout).toContain('acme/Web main: carbon/update already holds this config');
    expect(branchTip(a.sandbox, a.repos.web, 'carbon/update')).toBe(review);
    // A repository with two branches gets one review branch for each.
    const api = await a.carbon(['publish', 'acme/Api', '--via-branch', 'carbon/update']);
    expect(api.stdout).toContain('pushed it to carbon/update-develop');
    expect(api.stdout).toContain('pushed it to carbon/update-main');
  });

  it('replaces only a review branch of its own: never a branch with commits Carbon did not make', async () => {
    const a = await agency();
    /** Someone's commit on a branch of the web repository, on top of main by default. */
    const work = (branch: string, message: string, parent?: string) =>
      commit(
        a.sandbox,
        a.repos.web,
        branch,
        message,
        parent ?? branchTip(a.sandbox, a.repos.web, 'main'),
      );
    // A branch of people's work, named as the review branch by mistake: left alone, exit 2.
    const release = work('release', 'release work');
    const refused = await a.carbon(['publish', 'acme/Web', '--via-branch', 'release']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(
      /^acme\/Web main: ! left alone: release exists and is not a review branch of Carbon's/m,
    );
    expect(branchTip(a.sandbox, a.repos.web, 'release')).toBe(release);

    // Carbon's own review branch is replaced when the branch it reviews moved.
    expect((await a.carbon(['publish', 'acme/Web', '--via-branch', 'carbon/update'])).code).toBe(0);
    const moved = work('main', 'more work');
    const again = await a.carbon(['publish', 'acme/Web', '--via-branch', 'carbon/update']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(
      /^acme\/Web main: committed [0-9a-f]{12} and pushed it to carbon\/update$/m,
    );
    const review = branchTip(a.sandbox, a.repos.web, 'carbon/update')!;
    expect(git(a.sandbox, ['-C', a.repos.web, 'rev-parse', `${review}^`])).toBe(moved);

    // Once someone commits on it, it is theirs too: left alone even though Carbon made it.
    const reviewer = work('carbon/update', 'a reviewer fixes something', review);
    work('main', 'yet more work');
    const theirs = await a.carbon(['publish', 'acme/Web', '--via-branch', 'carbon/update']);
    expect(theirs.code).toBe(2);
    expect(theirs.stdout).toContain("carbon/update exists and is not a review branch of Carbon's");
    expect(branchTip(a.sandbox, a.repos.web, 'carbon/update')).toBe(reviewer);

    // The branch CircleCI reads as a review branch: its commits are people's, so nothing is forced.
    const main = branchTip(a.sandbox, a.repos.web, 'main');
    const own = await a.carbon(['publish', 'acme/Web', '--via-branch', 'main']);
    expect(own.code).toBe(2);
    expect(branchTip(a.sandbox, a.repos.web, 'main')).toBe(main);
  });

  it('refuses stale generated files, reports a missing branch, and has nothing to publish for GitHub App', async () => {
    const a = await agency();
    writeFileSync(
      join(a.root, 'generated/acme/Web/.circleci/config.yml'),
      '# Generated by Carbon: do not edit this file.\n# (edited all the same)\n',
    );
    const stale = await a.carbon(['publish']);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain(
      '1 generated file does not match the settings (generated/acme/Web/.circleci/config.yml)',
    );
    expect(a.config(a.repos.api, 'develop')).toBeUndefined();

    git(a.sandbox, ['-C', a.root, 'checkout', '--quiet', '--', '.']);
    git(a.sandbox, ['-C', a.repos.api, 'update-ref', '-d', 'refs/heads/develop']);
    const missing = await a.carbon(['publish', 'acme/Api']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/^acme\/Api develop: ! cannot fetch develop from file:\/\//m);
    expect(a.config(a.repos.api, 'main')).toBe(a.generated('Api'));

    const app = await agency('github-app');
    const nothing = await app.carbon(['publish']);
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stdout).toContain("nothing to publish: with circleci.integration 'github-app'");
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'removes its scratch repository when it is stopped by %s',
    async (signal) => {
      const a = await agency();
      const tmp = a.sandbox.baseEnv['TMPDIR']!;
      const scratches = () => readdirSync(tmp).filter((name) => name.startsWith('carbon-publish-'));
      // The push waits in the remote's hook: publish is stopped there, its scratch repository in use.
      const pushing = join(a.sandbox.root, 'pushing');
      writeFileSync(
        join(a.repos.web, 'hooks', 'pre-receive'),
        `#!/bin/sh\ntouch '${pushing}'\nexec sleep 30\n`,
        { mode: 0o755 },
      );
      const child = spawn(process.execPath, [CARBON_BIN, 'publish', 'acme/Web', '--root', a.root], {
        env: { ...process.env, ...a.sandbox.baseEnv, CARBON_CACHE: '0' },
        detached: true,
        stdio: 'ignore',
      });
      const ended = new Promise((resolve) =>
        child.on('exit', (code, killedBy) => resolve(killedBy ?? code)),
      );
      try {
        const deadline = Date.now() + 30_000;
        while (!existsSync(pushing) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 20));
        expect(scratches()).toHaveLength(1);
        process.kill(child.pid!, signal);
        // Stopped by the signal, as it would have been without Carbon's clean-up.
        expect(await ended).toBe(signal);
        expect(scratches()).toEqual([]);
      } finally {
        // git and the hook, left in the process group.
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    },
  );
});
