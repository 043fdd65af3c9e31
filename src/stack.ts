// A bug's stack in Carbon's own terms. Carbon runs from a bundle (bin/carbon.mjs), so a stack
// names the bundle's lines. Node maps stacks itself when source maps are on, but then it reads and
// parses each bundle file's map as the file loads, at every start; a bug is rare, so its stack is
// mapped when it is reported, from the map beside each bundle file named in it. Frames of files without a map are left as they are.
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `(file:line:column)` or `at file:line:column` ending a stack line, the file a .js path. */
const FRAME = /(\(|at )((?:file:\/\/)?\/[^()\s]*?\.js):(\d+):(\d+)(\)?)$/gm;

/** `text` (a stack, or a message holding one: a worker's) with bundle positions made sources'. */
export function mappedStack(text: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  return text.replace(
    FRAME,
    (frame, before: string, file: string, line: string, column: string, after: string) => {
      const path = file.startsWith('file://') ? fileURLToPath(file) : file;
      if (!maps.has(path)) maps.set(path, mapOf(path));
      const entry = maps.get(path)?.findEntry(Number(line) - 1, Number(column) - 1);
      if (!entry || !('originalSource' in entry)) return frame;
      const source = entry.originalSource.startsWith('file://')
        ? fileURLToPath(entry.originalSource)
        : resolve(dirname(path), entry.originalSource);
      return `${before}${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}${after}`;
    },
  );
}

function mapOf(path: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as SourceMapPayload);
  } catch {
    return undefined;
  }
}
