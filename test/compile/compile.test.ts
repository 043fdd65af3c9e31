// Compiling a workspace in one thread: what the plain reader reads and what runs in the sandbox
// give one answer, a module read as the realm reads it, and a bug reported with Carbon's sources.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFleet } from '../../bench/fleet.mjs';
import { CARBON_BIN, carbon } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

describe('compiling settings', () => {
  it('gives the same files whether a module is plain data or code run in the sandbox', async () => {
    const root = makeWorkspace({});
    writeFleet(root, 3);
    const plain = await carbon(['generate', '--root', root]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/\d+ written/);
    // The same project, its git URL now from a helper: code, run in the sandbox, the same files.
    const module = join(root, 'projects', 'client0002.ts');
    const text = readFileSync(module, 'utf8');
    writeFileSync(
      module,
      `import { host } from './_host';\n${text.replace('"github.com/BlackstoneStudio/client0002-api.git"', '`${host}/BlackstoneStudio/client0002-api.git`')}`,
    );
    writeFileSync(join(root, 'projects', '_host.ts'), "export const host = 'github.com';\n");
    const code = await carbon(['generate', '--root', root], { env: { CARBON_CACHE: '0' } });
    expect(code.code, code.stderr).toBe(0);
    expect(code.stdout).toContain('0 written');
  });

  it('reads a module as the realm does when planning: a byte that is not UTF-8 is reported as such', async () => {
    const root = makeWorkspace({});
    writeFleet(root, 2);
    const module = join(root, 'projects', 'client0001.ts');
    // "Client 1" with a Latin-1 é: a lenient read would call the module plain data.
    writeFileSync(
      module,
      Buffer.from(readFileSync(module, 'utf8').replace('Client 1', 'Cli\u00e9nt 1'), 'latin1'),
    );
    const run = await carbon(['generate', '--root', root]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('projects/client0001.ts is not UTF-8');
    expect(run.stderr).not.toContain('changed while Carbon was reading');
  });

  it("reports a bug with a stack that names Carbon's sources", async () => {
    const root = makeWorkspace({});
    writeFleet(root, 2);
    // A failure Carbon does not expect: path.relative throws for one module (the bundle looks it
    // up at each call).
    const preload = join(root, 'preload.cjs');
    writeFileSync(
      preload,
      [
        "const path = require('node:path');",
        'const relative = path.relative;',
        "path.relative = (from, to) => { if (to.endsWith('client0001.ts')) throw new TypeError('planted'); return relative(from, to); };",
      ].join('\n'),
    );
    const run = spawnSync(
      process.execPath,
      ['--require', preload, CARBON_BIN, 'generate', '--root', root],
      { encoding: 'utf8', env: { ...process.env, CARBON_CACHE: '0' } },
    );
    expect(run.status, run.stderr).toBe(3);
    expect(run.stderr).toContain('TypeError: planted');
    // The frames below the planted throw are Carbon's TypeScript, not its bundle's lines.
    const frames = run.stderr.split('\n').filter((line) => /^\s+at /.test(line));
    expect(frames.some((line) => /src\/compile\/unit\.ts:\d+:\d+\)?$/.test(line))).toBe(true);
    expect(frames.filter((line) => /cli\.js:\d+/.test(line))).toEqual([]);
  });
});
