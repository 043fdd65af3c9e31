// TypeScript to CommonJS for settings modules, with sucrase (it keeps every statement on its line,
// so positions in errors stay true). Nothing is kept between runs: the pipeline cache keeps each
// module's answer, so a module is transpiled only when it is evaluated again, and keeping the
// output cost a new machine (a CI clone) 150 ms of writes for 500 modules, more than transpiling
// them again (110 ms) ever saves.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';

type Sucrase = typeof import('sucrase');

const require = createRequire(join(PACKAGE_ROOT, 'package.json'));

export class Transpiler {
  private sucrase: Sucrase | undefined;

  /** CommonJS for a module's TypeScript; throws sucrase's error on a syntax error. */
  transpile(source: string, file: string): string {
    // Loaded with the first module that needs it (15 ms): modules of plain data do not.
    this.sucrase ??= require('sucrase') as Sucrase;
    return this.sucrase.transform(source, {
      transforms: ['typescript', 'imports'],
      filePath: file,
      production: true,
    }).code;
  }
}
