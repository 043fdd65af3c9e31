// "Did you mean ...?" for names that are almost right.

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The candidate a user most likely meant, or undefined when none is close. Close means equal but
 * for case, the name cut short, or within a third of the name's length in edits (at least one
 * edit for short names).
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const candidateLower = candidate.toLowerCase();
    const edits = candidateLower === lower ? 0 : editDistance(lower, candidateLower);
    // A name cut short (Taxaroo-API for Taxaroo-API-V2), or written out longer (carbonRepository
    // for carbonRepo), counts as less than one typo; among several such, the closest wins.
    const truncated =
      (name.length >= 4 && candidateLower.startsWith(lower)) ||
      (candidate.length >= 4 && lower.startsWith(candidateLower));
    const distance = truncated && edits > 0 ? 0.5 + edits / 1000 : edits;
    const limit = Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or the empty string: appended to messages. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  return meant(closest(name, candidates));
}

/** ` (did you mean "x"?)` for a name closest found, or the empty string. */
export function meant(match: string | undefined): string {
  return match === undefined ? '' : ` (did you mean ${JSON.stringify(match)}?)`;
}
