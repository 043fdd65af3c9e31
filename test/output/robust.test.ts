// Output under faults, through the CLI's entry in this process (two real processes for two
// generates at once): what a killed run leaves behind, two generates at once, and the workspace or
// machine refusing a write. Every case ends in exit 0 with the right files, or exit 2 with the path
// and the reason and nothing half-written; never exit 3.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARBON_BIN, REPO_ROOT, carbon } from '../helpers/cli.ts';
import { SAMPLE_CONFIG, makeWorkspace } from '../helpers/workspace.ts';

const SAMPLE = readFileSync(join(REPO_ROOT, 'projects', 'taxaroo.ts'), 'utf8');
const API_CONFIG = 'generated/taxaroo/Taxaroo-API-V2/.circleci/config.yml';

function sample(): string {
  return makeWorkspace({ 'carbon.config.ts': SAMPLE_CONFIG, 'projects/taxaroo.ts': SAMPLE });
}

async function generated(root: string): Promise<string> {
  const first = await carbon(['generate', '--root', root]);
  expect(first.code, first.stderr).toBe(0);
  return root;
}

/** Every file below a folder with its text, to prove a failed run changed nothing. */
function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[path.slice(root.length + 1)] = readFileSync(path, 'utf8');
  }
  return files;
}

describe('what a killed run leaves', () => {
  it('removes temporary files of an interrupted run and says so', async () => {
    const root = await generated(sample());
    const leftover = 'generated/taxaroo/Taxaroo-API-V2/.circleci/.config.yml.4242.carbon-tmp';
    writeFileSync(join(root, leftover), 'half');
    writeFileSync(join(root, '.orb.yml.4242.carbon-tmp'), 'half');
    const check = await carbon(['check', '--root', root]);
    expect(check.code, check.stderr).toBe(0);
    const result = await carbon(['generate', '--root', root]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`removed ${leftover} (left by an interrupted run)`);
    expect(existsSync(join(root, leftover))).toBe(false);
    expect(existsSync(join(root, '.orb.yml.4242.carbon-tmp'))).toBe(false);
  });

  it("leaves a folder named like a temporary file alone: it is not Carbon's", async () => {
    const root = await generated(sample());
    const folder = join(root, 'orb.yml.carbon-tmp');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    const result = await carbon(['generate', '--root', root]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('orb.yml.carbon-tmp');
    expect(readFileSync(join(folder, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('takes over the lock of a process that no longer runs', async () => {
    const root = await generated(sample());
    mkdirSync(join(root, '.carbon'), { recursive: true });
    const dead = spawnSync('true').pid;
    writeFileSync(
      join(root, '.carbon/lock'),
      JSON.stringify({
        pid: dead,
        host: process.env['HOSTNAME'] ?? require_hostname(),
        command: 'generate',
        started: 'then',
      }),
    );
    const result = await carbon(['generate', '--root', root]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(root, '.carbon/lock'))).toBe(false);
  });
});

function require_hostname(): string {
  return spawnSync('hostname', { encoding: 'utf8' }).stdout.trim();
}

describe('one generate at a time', () => {
  it('makes a second generate wait, then stop naming the holder', async () => {
    const root = await generated(sample());
    const holder = spawn('sleep', ['30']);
    try {
      mkdirSync(join(root, '.carbon'), { recursive: true });
      writeFileSync(
        join(root, '.carbon/lock'),
        JSON.stringify({
          pid: holder.pid,
          host: require_hostname(),
          command: 'generate',
          started: '2026-11-26T16:00:00Z',
        }),
      );
      const result = await carbon(['generate', '--root', root], {
        env: { CARBON_LOCK_WAIT: '0.3' },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `another generate is running in this workspace: process ${holder.pid} on ${require_hostname()} (\`carbon generate\`, since 2026-11-26T16:00:00Z) holds .carbon/lock`,
      );
    } finally {
      holder.kill();
    }
  });

  it('says at once that .carbon is a file, instead of waiting and blaming another generate', async () => {
    const root = sample();
    writeFileSync(join(root, '.carbon'), 'notes\n');
    const started = Date.now();
    const result = await carbon(['generate', '--root', root]);
    expect(result.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(result.stderr).toContain(`${join(root, '.carbon')} is a file, not a folder`);
    expect(result.stderr).toContain('move the file away (or delete it) and run again');
    expect(result.stderr).not.toContain('another generate');
    expect(readFileSync(join(root, '.carbon'), 'utf8')).toBe('notes\n');
  });

  it('says that a folder at .carbon/lock is not its lock, with the path and what to do', async () => {
    const root = sample();
    mkdirSync(join(root, '.carbon/lock'), { recursive: true });
    // Old enough to pass for a lock left by a killed process.
    utimesSync(join(root, '.carbon/lock'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    const result = await carbon(['generate', '--root', root], { env: { CARBON_LOCK_WAIT: '0.3' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${join(root, '.carbon/lock')} is not a file: Carbon keeps its lock there as a file; move it away (or delete it) and run again`,
    );
  });

  it('lets two cold generates run at once, one after the other, both succeeding', async () => {
    const root = sample();
    const run = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [CARBON_BIN, 'generate', '--root', root], {
          stdio: 'ignore',
        });
        child.on('exit', resolve);
      });
    expect(await Promise.all([run(), run()])).toEqual([0, 0]);
    expect((await carbon(['check', '--root', root])).code).toBe(0);
  });
});

describe('a workspace Carbon cannot write as planned', () => {
  it('refuses a symbolic link in generated/, exit 2', async () => {
    const root = sample();
    const elsewhere = makeWorkspace({ 'x.txt': 'x' });
    mkdirSync(join(root, 'generated'));
    symlinkSync(elsewhere, join(root, 'generated/taxaroo'));
    const result = await carbon(['generate', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('generated/taxaroo is a symbolic link');
    expect(readdirSync(elsewhere)).toEqual(['x.txt']);
  });

  it('refuses a folder where a config belongs, exit 2, nothing written', async () => {
    const root = sample();
    mkdirSync(join(root, API_CONFIG), { recursive: true });
    const before = snapshot(root);
    const result = await carbon(['generate', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${API_CONFIG} is a folder, where Carbon writes a file`);
    expect(snapshot(root)).toEqual(before);
  });

  it('says a 300-character repository id is too long before anything is written', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': SAMPLE_CONFIG,
      'projects/taxaroo.ts': SAMPLE.replaceAll("'Taxaroo-Clients'", `'${'C'.repeat(300)}'`),
    });
    const result = await carbon(['generate', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'is 300 characters long: an id names folders and AWS resources',
    );
    expect(existsSync(join(root, 'orb.yml'))).toBe(false);
  });

  it('on a read-only folder: exit 2 with the path and the reason, nothing half-written', async () => {
    const root = await generated(sample());
    const folder = join(root, 'generated/taxaroo/Taxaroo-API-V2/.circleci');
    writeFileSync(
      join(root, 'projects/taxaroo.ts'),
      SAMPLE.replaceAll("'0 * * * *'", "'0 */2 * * *'"),
    );
    const before = snapshot(root);
    // chattr +i refuses writes even to root, who ignores file modes.
    spawnSync('chattr', ['+i', folder]);
    try {
      const result = await carbon(['generate', '--root', root]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /carbon: .*Taxaroo-API-V2\/\.circleci.*: operation not permitted|permission denied/,
      );
      expect(result.stderr).not.toContain('internal error');
    } finally {
      spawnSync('chattr', ['-i', folder]);
    }
    expect(snapshot(root)).toEqual(before);
  });

  it('on a full disk: exit 2 with the path and the reason, nothing half-written', async () => {
    const root = sample();
    const mount = join(root, 'generated');
    mkdirSync(mount);
    // generated/ on a tmpfs with room for about two of the seven files: full half way through. Where
    // the machine allows no mount, the same failure is simulated after two files.
    const mounted =
      spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mount]).status === 0;
    try {
      if (mounted)
        spawnSync('dd', ['if=/dev/zero', `of=${join(mount, 'filler')}`, 'bs=1k', 'count=8']);
      const before = snapshot(root);
      const result = await carbon(['generate', '--root', root], {
        env: mounted ? {} : { CARBON_TEST_FULL_DISK_AFTER: '3' },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^carbon: .*: no space left on the device; nothing was left half-written\n$/,
      );
      expect(snapshot(root)).toEqual(before);
    } finally {
      if (mounted) spawnSync('umount', [mount]);
    }
  });

  it('simulated full disk: the same, wherever it happens', async () => {
    const root = await generated(sample());
    writeFileSync(
      join(root, 'projects/taxaroo.ts'),
      SAMPLE.replaceAll("'0 * * * *'", "'0 */2 * * *'"),
    );
    const before = snapshot(root);
    for (const after of ['0', '1']) {
      const result = await carbon(['generate', '--root', root], {
        env: { CARBON_TEST_FULL_DISK_AFTER: after },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('no space left on the device');
      expect(snapshot(root)).toEqual(before);
    }
  });
});
