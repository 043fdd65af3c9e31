// `carbon site` as users run it: the sample, a rerun that changes nothing, a folder that is not
// the site's, settings with mistakes, and a project that goes away.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARBON_BIN, carbon } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';
import { OTHER_WORKSPACE } from './fixtures.ts';

// 2026-11-26T15:40:00Z: pages built at the same instant are byte for byte the same.
const EPOCH = { SOURCE_DATE_EPOCH: '1795707600' };

function tree(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[path.slice(folder.length + 1)] = readFileSync(path, 'utf8');
  }
  return files;
}

describe('carbon site', () => {
  it('writes the sample site into --out, then writes nothing when nothing changed', async () => {
    const out = join(makeWorkspace({}), 'overview');
    const first = await carbon(['site', '--out', out], { env: EPOCH });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('site: 1 project; 4 files written, 0 removed, 0 unchanged');
    expect(first.stdout).toContain(`open ${join(out, 'index.html')} in a browser`);
    const files = tree(out);
    expect(Object.keys(files).sort()).toEqual([
      '.carbon-site',
      'assets/filter.js',
      'assets/site.css',
      'index.html',
      'projects/taxaroo.html',
    ]);
    expect(files['projects/taxaroo.html']).toContain('Next runs as of');
    expect(files['projects/taxaroo.html']).toContain('Thu 26 Nov 2026 15:40 UTC');

    const touched = statSync(join(out, '.carbon-site')).mtimeMs;
    const again = await carbon(['site', '--out', out], { env: EPOCH });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 files written, 0 removed, 4 unchanged');
    expect(tree(out)).toEqual(files);
    expect(statSync(join(out, '.carbon-site')).mtimeMs).toBe(touched);
  });

  it('serves the site on 127.0.0.1 with --serve until Ctrl-C, then exits 0', async () => {
    const root = makeWorkspace(OTHER_WORKSPACE);
    const child = spawn(process.execPath, [CARBON_BIN, 'site', '--serve', '--root', root], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      await expect
        .poll(() => stdout, { timeout: 15_000 })
        .toMatch(/serving .* on http:\/\/127\.0\.0\.1:\d+\/ /);
      const url = /on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)![1]!;
      const index = await fetch(`${url}index.html`);
      expect(index.status).toBe(200);
      expect(await index.text()).toContain('<a href="projects/acme.html">Acme</a>');
      expect((await fetch(`${url}..%2f..%2f..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it("says a project's warning once while serving, not again when another project changes", async () => {
    const sync = (cron: string) =>
      `sync: [{ direction: 'local', cron: '${cron}', branches: { origin: 'main', local: 'sync/main' } }], origin: { git: 'file:///srv/git/client.git' },`;
    const project = (id: string, cron: string) =>
      `export const ${id} = { id: '${id}', name: '${id}', repositories: [{ id: 'Web', name: 'Web', ${sync(cron)} local: { git: 'file:///srv/git/${id}.git' } }] };\n`;
    const root = makeWorkspace({
      'projects/warned.ts': project('warned', '2 */2 * * *'),
      'projects/other.ts': project('other', '0 * * * *'),
    });
    const child = spawn(process.execPath, [CARBON_BIN, 'site', '--serve', '--root', root], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      await expect.poll(() => stdout, { timeout: 15_000 }).toMatch(/serving .* on http/);
      writeFileSync(join(root, 'projects/other.ts'), project('other', '0 */2 * * *'));
      await expect
        .poll(() => stdout.split('site: 2 projects').length - 1, { timeout: 15_000 })
        .toBe(2);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr.split('warning cron-minutes-lost')).toHaveLength(2);
  });

  it('lists the command in --help', async () => {
    const { stdout } = await carbon(['--help']);
    expect(stdout).toMatch(/^ +site +\S/m);
  });

  it('refuses a folder it did not write, and a SOURCE_DATE_EPOCH that is no number, with exit 2', async () => {
    const out = makeWorkspace({ 'notes.txt': 'mine\n' });
    const foreign = await carbon(['site', '--out', out]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain(`${out} is not empty and was not written by \`carbon site\``);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    const clock = await carbon(['site', '--out', join(out, 'new')], {
      env: { SOURCE_DATE_EPOCH: 'soon' },
    });
    expect(clock.code).toBe(2);
    expect(clock.stderr).toContain(
      'SOURCE_DATE_EPOCH="soon" is not a number of seconds since 1970',
    );
  });

  it('reports settings mistakes, such as a Jira address that is not https, and writes nothing', async () => {
    const root = makeWorkspace({
      ...OTHER_WORKSPACE,
      'carbon.config.ts': "export default { jira: { baseUrl: 'http://jira.example.com' } };\n",
    });
    const result = await carbon(['site', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'carbon.config.ts:1:26 - error invalid-url: jira.baseUrl: "http://jira.example.com" must be an https:// URL',
    );
    expect(readdirSync(root)).not.toContain('site');
  });

  it('removes the page of a project that is gone, and nothing it did not write', async () => {
    const root = makeWorkspace(OTHER_WORKSPACE);
    expect((await carbon(['site', '--root', root], { env: EPOCH })).code).toBe(0);
    const site = join(root, 'site');
    mkdirSync(join(site, 'extra'));
    writeFileSync(join(site, 'extra', 'keep.txt'), 'mine\n');
    rmSync(join(root, 'projects', 'beta.ts'));
    const result = await carbon(['site', '--root', root], { env: EPOCH });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('site: 1 project; 1 files written, 1 removed, 3 unchanged in');
    expect(Object.keys(tree(site)).sort()).toEqual([
      '.carbon-site',
      'assets/filter.js',
      'assets/site.css',
      'extra/keep.txt',
      'index.html',
      'projects/acme.html',
    ]);
  });
});
