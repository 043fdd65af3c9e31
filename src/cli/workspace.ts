// Which workspace a command works on: `--root DIR` when given (it must be a folder), else the
// nearest folder at or above the current one that has carbon.config.ts or a settings module in
// projects/ (isWorkspace), the way git finds its repository, so that Carbon works from any
// subfolder of a workspace.
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { isWorkspace } from '../modules/layout.ts';
import { kindOf } from '../walk.ts';

export function findWorkspace(cwd: string, rootOption: string | undefined): string {
  if (rootOption !== undefined) {
    const root = resolve(cwd, rootOption);
    const kind = kindOf(root);
    if (kind === 'missing') throw new UserError(`--root ${rootOption}: there is no folder ${root}`);
    if (kind !== 'folder')
      throw new UserError(`--root ${rootOption}: ${root} is a file, not a workspace folder`);
    return root;
  }
  for (let folder = resolve(cwd); ; folder = dirname(folder)) {
    if (isWorkspace(folder)) return folder;
    if (dirname(folder) === folder) return resolve(cwd);
  }
}
