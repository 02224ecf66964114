// "Did you mean" for mistyped flags, config keys and stage parameters.

/** Edit distance (insert, delete, substitute), for short names only. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/**
 * The closest candidate, when it is close enough to be a typo: at most a third
 * of the name's length in edits, or the same name with `.`/`-` exchanged
 * (`--tokenize-min-count` for `--tokenize.min-count`).
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[._-]/g, '');
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = norm(c) === norm(name) ? 0 : editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** `; did you mean --x?` or '' */
export function didYouMean(name: string, candidates: Iterable<string>, prefix = '--'): string {
  const c = closest(name, candidates);
  return c ? `; did you mean ${prefix}${c}?` : '';
}
