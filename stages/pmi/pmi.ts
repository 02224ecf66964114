// Pointwise mutual information of a co-occurrence matrix, with context
// distribution smoothing (Levy, Goldberg & Dagan 2015, sec. 3.2):
//   PMI_a(w, c) = log( #(w,c) / (#(w) * P_a(c)) ),   P_a(c) = #(c)^a / sum_c' #(c')^a
// (with a = 1 this is log(#(w,c) * D / (#(w) #(c))), D the total weight), and
// shifted positive PMI max(PMI - log k, 0) (Levy & Goldberg 2014: SGNS with k
// negative samples factorizes PMI - log k). #(w), #(c) are the matrix's row
// and column sums.

export interface PmiOptions {
  /** Context distribution smoothing exponent a (1: none). */
  cds: number;
  /** k of shifted PMI: log k is subtracted (1: no shift). */
  shift: number;
  /** Keep only positive values (PPMI); otherwise every observed cell keeps its PMI. */
  positive: boolean;
}

/** Per-row and per-column log terms, so each cell costs one log. */
export interface PmiTerms {
  /** log #(w) by matrix index. */
  logRow: Float64Array;
  /** log P_a(c) by matrix index. */
  logCol: Float64Array;
  logShift: number;
}

export function pmiTerms(rowSums: Float64Array, colSums: Float64Array, o: PmiOptions): PmiTerms {
  let z = 0;
  for (const c of colSums) z += c > 0 ? Math.pow(c, o.cds) : 0;
  const logZ = Math.log(z);
  return {
    logRow: rowSums.map((r) => Math.log(r)),
    logCol: colSums.map((c) => o.cds * Math.log(c) - logZ),
    logShift: Math.log(o.shift),
  };
}

/** PMI of one cell (weight > 0) given its row and column matrix indices. */
export function pmiValue(weight: number, row: number, col: number, t: PmiTerms): number {
  return Math.log(weight) - t.logRow[row]! - t.logCol[col]! - t.logShift;
}
