// Which folder a command works on when no --root is given: the nearest at or above the current one
// that has carbon.config.ts or a settings module in projects/ (a projects/ of anything else is not
// a workspace). The --root cases are the CLI's (test/cli.test.ts).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findWorkspace } from '../../src/cli/workspace.ts';
import { makeWorkspace, writeFiles } from '../helpers/workspace.ts';

const MODULE = "export default { id: 'a', name: 'A', repositories: [] };\n";
const CONFIG = 'export default {};\n';

type Case = { name: string; files: Record<string, string> };

describe('finding the workspace from a subfolder', () => {
  it.each<Case>([
    { name: 'carbon.config.ts alone', files: { 'carbon.config.ts': CONFIG } },
    { name: 'a project module', files: { 'projects/acme.ts': MODULE } },
    { name: 'a helper module only', files: { 'projects/_shared.ts': MODULE } },
    {
      name: 'carbon.config.ts and an empty projects/',
      files: { 'carbon.config.ts': CONFIG, 'projects/.gitkeep': '' },
    },
  ])('finds a folder with $name', ({ files }) => {
    const root = makeWorkspace({ ...files, 'generated/acme/notes.txt': '' });
    expect(findWorkspace(join(root, 'generated', 'acme'), undefined)).toBe(root);
    expect(findWorkspace(root, undefined)).toBe(root);
  });

  it.each<Case>([
    { name: 'an empty projects/', files: { 'projects/.gitkeep': '' } },
    {
      name: 'a projects/ with no settings module',
      files: {
        'projects/README.md': '# projects\n',
        'projects/types.d.ts': 'export {};\n',
        'projects/.#acme.ts': '',
        'projects/app.js': MODULE,
      },
    },
  ])('passes over a folder with $name', ({ files }) => {
    // Inside a workspace: the workspace, not the folder with the stray projects/.
    const outer = makeWorkspace({ 'projects/acme.ts': MODULE });
    const inner = join(outer, 'clients', 'code');
    writeFiles(inner, { ...files, 'src/index.js': '' });
    expect(findWorkspace(join(inner, 'src'), undefined)).toBe(outer);
    // Outside any workspace: the current folder, as before.
    const alone = makeWorkspace({ ...files, 'src/index.js': '' });
    expect(findWorkspace(join(alone, 'src'), undefined)).toBe(join(alone, 'src'));
  });
});
