// The names scaffolding makes: export names from project ids, people's names from ids, and the
// npm spec a new workspace installs Carbon with, for Carbon run from a clone or from an install.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportNameOf } from '../../src/scaffold/project-module.ts';
import { words } from '../../src/scaffold/repositories.ts';
import { carbonDependency } from '../../src/scaffold/workspace-files.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

describe('exportNameOf', () => {
  const cases: { name: string; input: string; expected: string }[] = [
    { name: 'a plain id', input: 'acme', expected: 'acme' },
    { name: 'words joined by -, _ or .', input: 'big-client_eu.v2', expected: 'bigClientEuV2' },
    { name: 'capitals kept after the first letter', input: 'Taxaroo-API', expected: 'taxarooAPI' },
    { name: 'a leading digit', input: '3d-shop', expected: 'project3dShop' },
    { name: 'a reserved word', input: 'default', expected: 'defaultProject' },
    { name: 'the helper it imports', input: 'define-project', expected: 'defineProjectProject' },
  ];
  for (const { name, input, expected } of cases)
    it(name, () => expect(exportNameOf(input)).toBe(expected));
});

describe('words', () => {
  it('makes a first name for people from an id', () => {
    expect(words('Acme-API')).toBe('Acme API');
    expect(words('big_client.eu')).toBe('Big client eu');
  });
});

describe('carbonDependency', () => {
  it('is the folder of a Carbon run from its clone, relative to the new workspace', () => {
    const base = makeWorkspace({ 'carbon/package.json': '{ "name": "carbon" }\n' });
    expect(carbonDependency(join(base, 'agency'), join(base, 'carbon'))).toBe('file:../carbon');
  });

  it('is the spec an install of Carbon was made with (npx, a project)', () => {
    const base = makeWorkspace({
      'tool/package.json': JSON.stringify({
        dependencies: { carbon: 'github:BlackstoneStudio/carbon#v2.0.0' },
      }),
      'tool/node_modules/carbon/package.json': '{ "name": "carbon" }\n',
    });
    expect(carbonDependency(join(base, 'agency'), join(base, 'tool/node_modules/carbon'))).toBe(
      'github:BlackstoneStudio/carbon#v2.0.0',
    );
  });

  it('moves a file: spec of an install to the new workspace', () => {
    const base = makeWorkspace({
      'tool/package.json': JSON.stringify({ devDependencies: { carbon: 'file:../src/carbon' } }),
      'tool/node_modules/carbon/package.json': '{ "name": "carbon" }\n',
    });
    expect(
      carbonDependency(join(base, 'work/agency'), join(base, 'tool/node_modules/carbon')),
    ).toBe('file:../../src/carbon');
  });

  it('falls back to the folder when the install names no spec (a global install)', () => {
    const base = makeWorkspace({
      'lib/node_modules/carbon/package.json': '{ "name": "carbon" }\n',
    });
    expect(carbonDependency(join(base, 'agency'), join(base, 'lib/node_modules/carbon'))).toBe(
      'file:../lib/node_modules/carbon',
    );
  });
});
