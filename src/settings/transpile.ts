// TypeScript to CommonJS for settings modules, with sucrase (it keeps every statement on its line,
// so positions in errors stay true). Each module's output is kept by a hash of its text and
// Carbon's build, one small file per text: a run where few modules changed transpiles only those,
// one where none changed never loads sucrase, and workers running at once never overwrite each
// other's entries. Kept only with Carbon's build id (store.ts).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';
import { buildId, keep, readKept } from '../store.ts';

type Sucrase = typeof import('sucrase');

const require = createRequire(join(PACKAGE_ROOT, 'package.json'));

export class Transpiler {
  private sucrase: Sucrase | undefined;

  /** The root is not part of the key: the same text transpiles the same anywhere. */
  constructor(_root?: string) {}

  /** CommonJS for a module's TypeScript; throws sucrase's error on a syntax error. */
  transpile(source: string, file: string): string {
    const name = `transpiled/${createHash('sha256').update(`${buildId()}\0${source}`).digest('hex').slice(0, 32)}.js`;
    const kept = readKept(name);
    if (kept !== undefined) return kept;
    this.sucrase ??= require('sucrase') as Sucrase;
    const code = this.sucrase.transform(source, {
      transforms: ['typescript', 'imports'],
      filePath: file,
      production: true,
    }).code;
    keep(name, code);
    return code;
  }

  /** Nothing to do: every entry is kept when it is made. */
  save(): void {}
}
