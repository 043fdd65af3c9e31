// Runs the real `carbon` command, as users and CI do, through the bin launcher.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CARBON_BIN = join(REPO_ROOT, 'bin', 'carbon.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeout?: number;
}

const spawnOptions = (options: RunOptions) => ({
  cwd: options.cwd ?? REPO_ROOT,
  env: { ...process.env, ...options.env },
  // A run that never ends fails its test instead of hanging the suite.
  timeout: options.timeout ?? 120_000,
});

export function runCarbon(args: string[], options: RunOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [CARBON_BIN, ...args], {
    ...spawnOptions(options),
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** runCarbon without blocking this process: for tests that serve what Carbon calls. */
export function runCarbonAsync(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CARBON_BIN, ...args], {
      ...spawnOptions(options),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs a command in this process, through the CLI's own entry (src/cli.ts `main`) with captured
 * output: the same parsing, commands, messages and exit codes as the real process, without the
 * start of a new Node and the launcher for each call. What only the real process has stays with
 * runCarbon: the launcher and its bundle, the build id that turns on the store and the pipeline
 * cache (none in-process, so every in-process run is uncached), signals, and stdin.
 */
export async function carbon(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const { main } = await import('../../src/cli.ts');
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    interactive: false,
  });
  return { code, stdout, stderr };
}
