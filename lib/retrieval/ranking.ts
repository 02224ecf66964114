// Ranking figures of one query whose right answer is a known row: Recall@k and
// reciprocal rank, as expected values when ties are broken at random (a bot
// that scores every candidate alike ranks the right one in the middle, not first).

export interface RankStats {
  /** P(rank <= k) for each k asked for. */
  recall: number[];
  /** E[1 / rank]. */
  reciprocalRank: number;
}

/** g rows score above the target and t other rows tie with it: its rank is uniform on g+1 .. g+t+1. */
export function rankStatsOf(greater: number, ties: number, ks: readonly number[]): RankStats {
  const recall = ks.map((k) => Math.max(0, Math.min(1, (k - greater) / (ties + 1))));
  let rr = 0;
  for (let p = greater + 1; p <= greater + ties + 1; p++) rr += 1 / p;
  return { recall, reciprocalRank: rr / (ties + 1) };
}

export function rankStats(scores: ArrayLike<number>, target: number, ks: readonly number[]): RankStats {
  const s = scores[target]!;
  let greater = 0;
  let ties = 0;
  for (let r = 0; r < scores.length; r++) {
    if (r === target) continue;
    if (scores[r]! > s) greater++;
    else if (scores[r]! === s) ties++;
  }
  return rankStatsOf(greater, ties, ks);
}
