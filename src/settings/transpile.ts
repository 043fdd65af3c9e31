// TypeScript to CommonJS for settings modules, with sucrase (it keeps every statement on its line,
// so positions in errors stay true). The output of each module is kept per workspace, by a hash
// of its text and Carbon's build: a run where few modules changed transpiles only those, and
// one where none changed never loads sucrase at all. Kept only with Carbon's build id (store.ts).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';
import { buildId, keep, nameOf, readKept } from '../store.ts';

type Sucrase = typeof import('sucrase');

interface Stored {
  build: string;
  modules: Record<string, string>;
}

const require = createRequire(join(PACKAGE_ROOT, 'package.json'));

export class Transpiler {
  private readonly name: string;
  private readonly stored: Record<string, string>;
  private readonly used: Record<string, string> = {};
  private changed = false;
  private sucrase: Sucrase | undefined;

  constructor(root: string) {
    this.name = `transpiled/${nameOf(root)}.json`;
    const kept = readKept(this.name);
    const stored = kept === undefined ? undefined : (JSON.parse(kept) as Stored);
    this.stored = stored !== undefined && stored.build === buildId() ? stored.modules : {};
  }

  /** CommonJS for a module's TypeScript; throws sucrase's error on a syntax error. */
  transpile(source: string, file: string): string {
    const key = createHash('sha1').update(source).digest('base64');
    let code = this.stored[key];
    if (code === undefined) {
      this.sucrase ??= require('sucrase') as Sucrase;
      code = this.sucrase.transform(source, {
        transforms: ['typescript', 'imports'],
        filePath: file,
        production: true,
      }).code;
      this.changed = true;
    }
    this.used[key] = code;
    return code;
  }

  /** Keeps what this run used, when it differs from what was kept. */
  save(): void {
    const build = buildId();
    if (build === undefined) return;
    if (!this.changed && Object.keys(this.used).length === Object.keys(this.stored).length) return;
    keep(this.name, JSON.stringify({ build, modules: this.used } satisfies Stored));
  }
}
