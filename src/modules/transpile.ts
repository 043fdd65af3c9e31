// TypeScript to CommonJS for settings modules, with sucrase (it keeps every statement on its line,
// so positions in errors stay true). Only the engine's thread transpiles (modules of plain data are
// read without it), and it loads sucrase when it starts, not on a module's clock. Nothing is kept
// between runs: the pipeline cache keeps each module's answer, so a module is transpiled only when
// it is evaluated again (bench/RESULTS.md: keeping the output cost a new machine more in writes
// than transpiling again saves).
import { transform } from 'sucrase';

/** CommonJS for a module's TypeScript; throws sucrase's error on a syntax error. */
export function transpile(source: string, file: string): string {
  return transform(source, {
    transforms: ['typescript', 'imports'],
    filePath: file,
    production: true,
  }).code;
}
