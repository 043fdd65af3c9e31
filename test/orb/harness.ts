// Runs the orb's scripts (templates/orb/scripts/*.sh) with bash in a throw-away sandbox: a temporary
// work directory (the current directory), HOME, TMPDIR and CARBON_STATE_DIR, the shared functions
// the script's steps include in their environment and no others (helpers.sh in CARBON_HELPERS,
// git.sh in CARBON_GIT_HELPERS), and a PATH that starts with the sandbox's bin folder (for per-test
// wrappers), then the recording fakes of aws and docker (test/orb/fakes), then the real PATH. Calls
// to the fakes are returned with the result, and every aws call is checked against AWS's service
// models (test/helpers/aws-contract.ts): a call the real CLI or AWS would reject fails the test
// that made it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished } from 'vitest';
import { packOrb } from '../../src/emit/orb.ts';
import { isMap, type YamlValue } from '../../src/emit/yaml.ts';
import { ORB_TEMPLATES } from '../../src/paths.ts';
import { checkAwsInvocation, type RecordedFile } from '../helpers/aws-contract.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const repositoryRoot = resolve(here, '../..');
export const scriptsDir = join(repositoryRoot, 'templates/orb/scripts');
export const fakesDir = join(here, 'fakes');

export const scriptNames = [
  'aws-cli-version.sh',
  'clone.sh',
  'aws-login.sh',
  'ecr-ensure.sh',
  'build-image.sh',
  'deploy-ecs.sh',
  'run-hook.sh',
  'deploy-stack.sh',
  'sync.sh',
  'known-hosts.sh',
  'state-open.sh',
  'state-cleanup.sh',
  'cascade.sh',
  'helpers.sh',
  'git.sh',
] as const;
export type ScriptName = (typeof scriptNames)[number];

/** The files of shared functions that steps include in their environment, by variable. */
export const sharedFunctions = {
  CARBON_HELPERS: 'helpers.sh',
  CARBON_GIT_HELPERS: 'git.sh',
} as const satisfies Record<string, ScriptName>;

/** The `run` steps of the packed orb's commands and jobs, as CircleCI reads them. */
export function orbRuns(): { [key: string]: YamlValue }[] {
  const { commands, jobs } = packOrb(ORB_TEMPLATES);
  return [commands, jobs]
    .flatMap((components) => (isMap(components) ? Object.values(components) : []))
    .flatMap((component) => (isMap(component) ? [component['steps']].flat() : []))
    .flatMap((step) => (isMap(step) && isMap(step['run']) ? [step['run']] : []));
}

/**
 * The shared-function variables the orb's steps give each script (by the script's text): the
 * harness passes a script exactly those, so one that evals a variable its steps lack fails here.
 */
function sharedFunctionsByScript(): Map<string, Record<string, string>> {
  const byScript = new Map<string, Record<string, string>>();
  for (const run of orbRuns()) {
    const environment = isMap(run['environment']) ? run['environment'] : {};
    const given = Object.fromEntries(
      Object.keys(sharedFunctions)
        .filter((name) => name in environment)
        .map((name) => [name, String(environment[name])]),
    );
    const command = String(run['command']);
    byScript.set(command, { ...byScript.get(command), ...given });
  }
  return byScript;
}

/** One scripted answer of a fake: the first matching rule with uses left wins. */
export interface Rule {
  /** Prefix of the argv (after the program name), e.g. ['ecs', 'describe-services']. */
  match: string[];
  /** Printed on stdout; objects are printed as JSON, the way the AWS CLI prints them. */
  stdout?: string | object;
  stderr?: string;
  /** Default 0. */
  exit?: number;
  /** How many calls this rule answers; default: every call. */
  times?: number;
}

export interface Scenario {
  aws?: Rule[];
  docker?: Rule[];
}

export type { RecordedFile };

export interface Call {
  tool: 'aws' | 'docker';
  argv: string[];
  /** Every file:// argument, keyed by its option (a second one of an option: `--option[1]`). */
  files?: Record<string, RecordedFile>;
  /** What `docker login` read on stdin. */
  stdin?: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  scenario?: Scenario;
  /** Kill the script after this many milliseconds (default 20 s). */
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  calls: Call[];
  durationMs: number;
}

export interface Sandbox {
  root: string;
  /** The script's current directory (the build workspace). */
  work: string;
  home: string;
  tmp: string;
  stateDir: string;
  /** First on PATH: put wrappers (e.g. a git that races) here. */
  bin: string;
  /** The environment every run starts from (before options.env). */
  baseEnv: Record<string, string>;
  run(script: ScriptName, options?: RunOptions): Promise<RunResult>;
}

/** Creates a sandbox that is removed when the current test finishes. */
export function createSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'carbon-orb-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const [work, home, tmp, stateDir, bin, logs] = [
    'work',
    'home',
    'tmp',
    'state',
    'bin',
    'logs',
  ].map((name) => {
    const path = join(root, name);
    mkdirSync(path, { recursive: true });
    return path;
  }) as [string, string, string, string, string, string];
  const baseEnv: Record<string, string> = {
    PATH: [bin, fakesDir, dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(
      delimiter,
    ),
    HOME: home,
    TMPDIR: tmp,
    CARBON_STATE_DIR: stateDir,
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const stepFunctions = sharedFunctionsByScript();
  let runs = 0;

  async function run(script: ScriptName, options: RunOptions = {}): Promise<RunResult> {
    runs += 1;
    const log = join(logs, `calls-${runs}.jsonl`);
    const scenarioFile = join(logs, `scenario-${runs}.json`);
    writeFileSync(scenarioFile, JSON.stringify(options.scenario ?? {}));
    const env: Record<string, string> = {
      ...baseEnv,
      ...stepFunctions.get(readFileSync(join(scriptsDir, script), 'utf8')),
      CARBON_FAKE_LOG: log,
      CARBON_FAKE_SCENARIO: scenarioFile,
    };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const started = performance.now();
    const { code, stdout, stderr } = await spawnBash(
      join(scriptsDir, script),
      work,
      env,
      options.timeoutMs ?? 20_000,
    );
    const durationMs = performance.now() - started;
    const calls = readCalls(log);
    expectAwsContract(calls);
    return { code, stdout, stderr, calls, durationMs };
  }

  return { root, work, home, tmp, stateDir, bin, baseEnv, run };
}

function spawnBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** The calls a fake logged (one JSON line each), none when it was never called. */
export function readCalls(log: string): Call[] {
  return existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Call)
    : [];
}

/** Fails the current test when an aws call breaks AWS's service models. */
export function expectAwsContract(calls: Call[]): void {
  const violations = calls.filter((call) => call.tool === 'aws').flatMap(checkAwsInvocation);
  expect(violations, 'aws calls that AWS CLI v2 or AWS would reject').toEqual([]);
}

/** The aws calls of a run, each as its argv. */
export function awsCalls(result: RunResult): string[][] {
  return result.calls.filter((call) => call.tool === 'aws').map((call) => call.argv);
}

/** Parses the export lines a script appended to a BASH_ENV file, by sourcing it with bash. */
export async function readExports(file: string, names: string[]): Promise<Record<string, string>> {
  const script = `set -eu; source "$1"; shift; for name in "$@"; do printf '%s\\0%s\\0' "$name" "\${!name-}"; done`;
  const output = await new Promise<string>((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', script, 'read-exports', file, ...names], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(text) : reject(new Error(`sourcing ${file} failed (${code})`)),
    );
  });
  const parts = output.split('\0');
  const values: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) values[parts[i]!] = parts[i + 1]!;
  return values;
}
