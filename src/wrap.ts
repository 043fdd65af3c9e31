// Text wrapped to a width, for whatever prints prose: help texts, the cells of `carbon ls`, the to-do
// lists of init and new, the comments of scaffolded modules. Not argument parsing's, nor the CLI's:
// inspect/ and scaffold/ wrap too, and must not import the command line.

/** Words wrapped to lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}
