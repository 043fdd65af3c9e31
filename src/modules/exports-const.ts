// The seed writes `exports const taxaroo = ...`, which is not TypeScript. The realm reports it and
// reads the line as `export const`; the locator reads it the same way, so positions agree.
import type { Position } from '../diagnostics.ts';

/**
 * Rather than stopping at that one mistake, note it and read the line as `export const`, so every
 * other problem of the module is reported in the same run. Columns stay put: `exports ` and
 * `export  ` have the same length.
 */
export function fixExportsConst(source: string, found: (position: Position) => void): string {
  if (!/^\s*exports\s/m.test(source)) return source;
  const lines = source.split('\n');
  let changed = false;
  lines.forEach((line, index) => {
    const match = /^(\s*)exports(\s+)(const|let|var|function|class|default)\b/.exec(line);
    if (!match) return;
    found({ line: index + 1, column: match[1]!.length + 1 });
    lines[index] = `${match[1]}export ${match[2]}${line.slice(match[0].length - match[3]!.length)}`;
    changed = true;
  });
  return changed ? lines.join('\n') : source;
}
