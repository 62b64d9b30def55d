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
 * The known names closest to `name` (at most `limit`), best first: ranked by edit distance (ties:
 * a name that contains the other first, then alphabetically); a candidate qualifies within about
 * a third of the name's length, or when one contains the other.
 *
 * @example closestNames('reluu', ['elu', 'relu', 'relu6']) // ['relu', 'relu6', 'elu']
 */
export function closestNames(name: string, known: Iterable<string>, limit = 3): string[] {
  if (typeof name !== 'string') return [];
  const needle = name.toLowerCase().slice(0, 64);
  const scored: Array<[string, number, number]> = [];
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    const distance = editDistance(needle, lower);
    const contains = lower.includes(needle) || needle.includes(lower) ? 0 : 1;
    // close: within about a third of the name and not a rewrite of the whole name, or a containment
    const close = distance <= Math.max(1, Math.ceil(needle.length / 3)) && distance < needle.length;
    if (close || (contains === 0 && Math.min(needle.length, lower.length) >= 2))
      scored.push([candidate, distance, contains]);
  }
  scored.sort((a, b) => a[1] - b[1] || a[2] - b[2] || a[0].localeCompare(b[0]));
  return scored.slice(0, limit).map(([candidate]) => candidate);
}
