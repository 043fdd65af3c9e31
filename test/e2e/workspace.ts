// An end-to-end workspace: a project whose repositories are local bare git repositories (file://
// URLs), generated with the real CLI, whose generated jobs then run with `carbon run`.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { runCarbon, runCarbonAsync, type CliResult } from '../helpers/cli.ts';
import {
  createSandbox,
  expectAwsContract,
  readCalls,
  type Sandbox,
  type Scenario,
} from '../orb/harness.ts';
import { realGit } from '../orb/git.ts';

export const IDENTITY = {
  GIT_AUTHOR_NAME: 'Carbon E2E',
  GIT_AUTHOR_EMAIL: 'carbon-e2e@example.com',
  GIT_COMMITTER_NAME: 'Carbon E2E',
  GIT_COMMITTER_EMAIL: 'carbon-e2e@example.com',
};

export interface E2eWorkspace {
  sandbox: Sandbox;
  /** The Carbon workspace (projects/, generated/, orb.yml). */
  root: string;
  /** Bare repositories by name: api (the agency's mirror), origin (the client's), app, carbon. */
  repos: Record<'api' | 'origin' | 'app' | 'carbon', string>;
  git: (args: string[]) => string;
  /** Commits files onto a branch of a bare repository (creating the branch from `from`). */
  commitFiles: (
    repo: string,
    branch: string,
    files: Record<string, string>,
    from?: string,
    /** Paths among `files` committed with their executable bit. */
    executables?: string[],
  ) => string;
  tip: (repo: string, branch: string) => string | undefined;
  /** `carbon run` with the sandbox's environment (fakes first on PATH) and more. */
  run: (args: string[], env?: Record<string, string>) => CliResult;
  /** `run` without blocking this process: for jobs that call a local endpoint the test serves. */
  runAsync: (args: string[], env?: Record<string, string>) => Promise<CliResult>;
  /** Writes the fake AWS and Docker CLIs' scenario. */
  scenario: (scenario: Scenario) => void;
  /** The fake CLIs' calls so far, as argv lists prefixed by the tool. */
  calls: () => string[][];
}

export interface E2eOptions {
  /** The API build's `provision` (TypeScript text), as `{ hook: 'infra/up.sh' }`. */
  provision?: string;
}

export function e2eWorkspace(options: E2eOptions = {}): E2eWorkspace {
  const sandbox = createSandbox();
  const root = join(sandbox.root, 'agency');
  const env = { ...sandbox.baseEnv, ...IDENTITY };
  const git = (args: string[]) =>
    execFileSync(realGit, args, { encoding: 'utf8', env, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
  const repos = {} as E2eWorkspace['repos'];
  for (const name of ['api', 'origin', 'app', 'carbon'] as const) {
    repos[name] = join(sandbox.root, 'remotes', `${name}.git`);
    git(['init', '--quiet', '--bare', '--initial-branch=main', repos[name]]);
  }
  let scratchCount = 0;
  const commitFiles = (
    repo: string,
    branch: string,
    files: Record<string, string>,
    from?: string,
    executables: string[] = [],
  ) => {
    const scratch = join(sandbox.root, `scratch-${++scratchCount}`);
    git(['init', '--quiet', scratch]);
    const start = from ?? branch;
    const exists = git(['ls-remote', repo, `refs/heads/${start}`]) !== '';
    if (exists) {
      git(['-C', scratch, 'fetch', '--quiet', repo, `refs/heads/${start}`]);
      git(['-C', scratch, 'checkout', '--quiet', '-B', branch, 'FETCH_HEAD']);
    } else {
      git(['-C', scratch, 'checkout', '--quiet', '-b', branch]);
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(scratch, path)), { recursive: true });
      writeFileSync(join(scratch, path), text);
      if (executables.includes(path)) chmodSync(join(scratch, path), 0o755);
    }
    git(['-C', scratch, 'add', '--all']);
    git(['-C', scratch, 'commit', '--quiet', '-m', `change ${Object.keys(files).join(', ')}`]);
    git(['-C', scratch, 'push', '--quiet', repo, `HEAD:refs/heads/${branch}`]);
    return git(['-C', scratch, 'rev-parse', 'HEAD']);
  };
  const tip = (repo: string, branch: string) =>
    git(['-C', repo, 'for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`]) ||
    undefined;

  mkdirSync(join(root, 'projects'), { recursive: true });
  writeFileSync(
    join(root, 'carbon.config.ts'),
    "export default { aws: { accountId: '123456789012' }, circleci: { context: 'e2e' } };\n",
  );
  writeFileSync(
    join(root, 'projects', 'acme.ts'),
    `import { defineProject } from 'carbon';

export const acme = defineProject({
  id: 'acme',
  name: 'Acme',
  repositories: [
    {
      id: 'Api',
      name: 'Acme API',
      build: { branch: 'main', carbonRepo: 'Carbon', carbonBranch: 'develop', branches: { App: 'release' }${options.provision ? `, provision: ${options.provision}` : ''} },
      sync: [{ direction: 'local', cron: '0 * * * *', branches: { origin: 'main', local: 'sync/main' } }],
      local: { git: 'file://${repos.api}', defaultBranch: 'main' },
      origin: { git: 'file://${repos.origin}', defaultBranch: 'main' },
    },
    { id: 'App', name: 'Acme App', local: { git: 'file://${repos.app}' } },
    { id: 'Carbon', name: 'Acme Carbon', local: { git: 'file://${repos.carbon}', defaultBranch: 'develop' } },
  ],
});
`,
  );
  const generated = runCarbon(['generate', '--root', root]);
  expect(generated.code, generated.stderr).toBe(0);

  const log = join(sandbox.root, 'fake-calls.jsonl');
  const scenarioFile = join(sandbox.root, 'scenario.json');
  writeFileSync(log, '');
  const fakeEnv = { CARBON_FAKE_LOG: log, CARBON_FAKE_SCENARIO: scenarioFile };
  return {
    sandbox,
    root,
    repos,
    git,
    commitFiles,
    tip,
    run: (args, extra = {}) => {
      const result = runCarbon(['run', '--root', root, ...args], {
        env: { ...env, ...fakeEnv, ...extra },
      });
      // Every aws call the job made so far must be one AWS's models accept.
      expectAwsContract(readCalls(log));
      return result;
    },
    runAsync: async (args, extra = {}) => {
      const result = await runCarbonAsync(['run', '--root', root, ...args], {
        env: { ...env, ...fakeEnv, ...extra },
      });
      expectAwsContract(readCalls(log));
      return result;
    },
    scenario: (scenario) => writeFileSync(scenarioFile, JSON.stringify(scenario)),
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const entry = JSON.parse(line) as { tool: string; argv: string[] };
          return [entry.tool, ...entry.argv];
        }),
  };
}
