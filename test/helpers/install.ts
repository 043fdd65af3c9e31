// A copy of Carbon in a temporary folder, as a user's install: the sources, templates and package
// files, its own node_modules/.cache, the packages linked from this checkout, and no ../shared.
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.ts';
import { makeWorkspace } from './workspace.ts';

export function copyOfCarbon(): string {
  const install = join(makeWorkspace({}), 'carbon');
  mkdirSync(install);
  for (const entry of [
    'bin',
    'src',
    'templates',
    'package.json',
    'package-lock.json',
    'tsconfig.json',
  ])
    cpSync(join(REPO_ROOT, entry), join(install, entry), { recursive: true });
  mkdirSync(join(install, 'node_modules', '.cache'), { recursive: true });
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules')))
    if (entry !== '.cache')
      symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(install, 'node_modules', entry));
  return install;
}
