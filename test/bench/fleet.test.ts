// The benchmark's fleets (bench/fleet.mjs): each kind compiles without a diagnostic, the fleets
// written with helpers hold exactly the settings of the plain ones, and the keys open what they say.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFleet, type FleetKeys } from '../../bench/fleet.mjs';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import type { Workspace } from '../../src/resolve/model.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

const COUNT = 6;

async function compiled(keys: FleetKeys, helpers: boolean): Promise<Workspace> {
  const root = makeWorkspace({});
  writeFleet(root, COUNT, { keys, helpers });
  const { diagnostics, workspace } = await compileSettings(root);
  expect(diagnostics).toEqual([]);
  // Where each project was read from differs by folder: the rest must not.
  for (const project of workspace!.projects) project.source = { ...project.source, file: '' };
  return workspace!;
}

describe('the benchmark fleets', () => {
  it.each(['one', 'organisation', 'repository'] as const)(
    'git.sshKeys of kind %s: the projects written with helpers are the plain ones',
    async (keys) => {
      const plain = await compiled(keys, false);
      const helpers = await compiled(keys, true);
      expect(helpers.projects).toEqual(plain.projects);
      expect(Object.keys(plain.config.git.sshKeys)).toHaveLength(
        { one: 1, organisation: COUNT + 1, repository: COUNT * 6 }[keys],
      );
    },
  );

  it('write helper fleets as code that imports projects/_helpers.ts', () => {
    const root = makeWorkspace({});
    writeFleet(root, 2, { helpers: true });
    const module = readFileSync(join(root, 'projects', 'client0002.ts'), 'utf8');
    expect(module).toContain("from './_helpers';");
    expect(module).toMatch(/"git": agencyGit\("client0002", "api"\)/);
    expect(readFileSync(join(root, 'projects', '_helpers.ts'), 'utf8')).toContain(
      'export const fromClient = (cron, branch) =>',
    );
  });

  it('give every agency repository its own deploy key, and each client organisation one', async () => {
    const { projects, config } = await compiled('repository', false);
    const keyOf = (name: string) => config.git.sshKeys[name];
    const api = projects[0]!.repositories[0]!;
    expect(api.build!.carbon.sshKey).toBe(keyOf('github.com/BlackstoneStudio/client0001-carbon'));
    expect(api.build!.linked.map((checkout) => checkout.sshKey)).toEqual(
      ['app', 'admin', 'worker'].map((name) =>
        keyOf(`github.com/BlackstoneStudio/client0001-${name}`),
      ),
    );
    expect(api.syncs[0]!.from.sshKey).toBe(keyOf('github.com/Client-1-Org'));
    expect(api.syncs[0]!.to.sshKey).toBe(keyOf('github.com/BlackstoneStudio/client0001-api'));
    expect(new Set(Object.values(config.git.sshKeys)).size).toBe(COUNT * 6);
  });
});
