// TypeScript to CommonJS for settings modules, with sucrase (it keeps every statement on its line,
// so positions in errors stay true). The output of each module is kept per workspace, by a hash
// of its text and sucrase's version: a run where few modules changed transpiles only those, and
// one where none changed never loads sucrase at all.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';

type Sucrase = typeof import('sucrase');

interface Stored {
  sucrase: string;
  modules: Record<string, string>;
}

const require = createRequire(join(PACKAGE_ROOT, 'package.json'));

export class Transpiler {
  private readonly file: string;
  private readonly version: string;
  private readonly stored: Record<string, string>;
  private readonly used: Record<string, string> = {};
  private changed = false;
  private sucrase: Sucrase | undefined;

  constructor(root: string) {
    const name = createHash('sha256').update(root).digest('hex').slice(0, 24);
    this.file = join(
      PACKAGE_ROOT,
      'node_modules',
      '.cache',
      'carbon',
      'transpiled',
      `${name}.json`,
    );
    this.version = (require('sucrase/package.json') as { version: string }).version;
    let stored: Stored | undefined;
    try {
      stored = JSON.parse(readFileSync(this.file, 'utf8')) as Stored;
    } catch {
      stored = undefined;
    }
    this.stored = stored?.sucrase === this.version ? stored.modules : {};
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
    if (!this.changed && Object.keys(this.used).length === Object.keys(this.stored).length) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(
        temporary,
        JSON.stringify({ sucrase: this.version, modules: this.used } satisfies Stored),
      );
      renameSync(temporary, this.file);
    } catch {
      // Not kept: the next run transpiles again.
    }
  }
}
