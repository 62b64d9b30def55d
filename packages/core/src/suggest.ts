/** Levenshtein distance, used to suggest the closest known names. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(above + 1, prev[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

/**
 * The known names closest to `name` (at most `limit`), best first: names that contain it or are
 * within an edit distance of about a third of its length (and shorter than the name itself).
 */
export function closestNames(name: string, known: Iterable<string>, limit = 3): string[] {
  const needle = name.toLowerCase();
  const scored: Array<[string, number]> = [];
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    let score = editDistance(needle, lower);
    if (lower.includes(needle) || needle.includes(lower)) score = Math.min(score, 1);
    // close: within about a third of the name, and not a rewrite of the whole name
    if (score <= Math.max(1, Math.ceil(needle.length / 3)) && score < needle.length) scored.push([candidate, score]);
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return scored.slice(0, limit).map(([candidate]) => candidate);
}
