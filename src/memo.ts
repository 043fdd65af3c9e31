// Answers remembered by the text they were computed from, for pure functions that a fleet calls
// with few distinct texts many times (crons, timetables, git URLs, YAML scalars).

/** `compute`, remembered by its argument, up to `limit` answers; past that, computed each time. */
export function rememberedByText<T>(
  compute: (text: string) => T,
  limit: number,
): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    // One lookup for a remembered answer (a second only for an answer that is undefined).
    const remembered = known.get(text);
    if (remembered !== undefined || known.has(text)) return remembered as T;
    const answer = compute(text);
    if (known.size < limit) known.set(text, answer);
    return answer;
  };
}
