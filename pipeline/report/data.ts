// The data the report page draws, as one JSON object inlined into the page (or
// served as api/data by `lexflow serve`). Everything large is sampled or
// thinned before it gets here; `notes` says what was.

export type StageState = 'done' | 'stale' | 'missing' | 'running';

export interface StageInfo {
  name: string;
  describe: string;
  inputs: string[];
  state: StageState;
  reason: string;
  wallSeconds: number | null;
  peakRssMB: number | null;
  rows: number | null;
  fingerprint: string | null;
  warnings: string[];
}

export interface RunInfo {
  /** Short label: the folder's name (made unique among compared runs). */
  name: string;
  dir: string;
  config: Record<string, unknown>;
  stages: StageInfo[];
}

/** One language model's perplexities (rows of a stage's metrics.arrow). */
export interface PerplexityRow {
  run: string;
  stage: string;
  model: string;
  validPpl: number | null;
  testPpl: number | null;
  /** Test perplexity with OOV (<unk>) targets left out. */
  testPplExclOov: number | null;
  testOov: number | null;
  testTokens: number | null;
  note: string;
}

/** One trained model's history, thinned: train loss and validation perplexity by step and wall time. */
export interface Curve {
  run: string;
  stage: string;
  label: string;
  /** True while the stage is still training (read from its checkpoint). */
  live: boolean;
  train: { step: number[]; wall: number[]; loss: number[] };
  valid: { step: number[]; wall: number[]; ppl: number[] };
  /** Rows in the history before thinning. */
  rows: number;
}

export interface EmbeddingMap {
  stage: string;
  vocab: number;
  dim: number;
  /** The mapped words: the first rows of the table (the most frequent words). */
  words: string[];
  /** PCA of every mapped word: x0 y0 x1 y1 ... */
  pca: number[];
  pcaVariance: [number, number];
  /** t-SNE of the first `tsneWords` of `words`: x0 y0 ... */
  tsne: number[];
  /** For each mapped word, its nearest mapped words (k per word, -1 pads) and their cosines. */
  k: number;
  neighbors: number[];
  cosines: number[];
}

/** Word similarity and analogy figures of one embedding stage. */
export interface EmbeddingScores {
  stage: string;
  /** Where the figures come from: the stage that evaluated it, or the report itself. */
  source: string;
  rows: { metric: string; set: string; value: number | null; found: number; total: number }[];
}

export interface AttentionMap {
  /** Stage folder holding the table. */
  stage: string;
  file: string;
  sentence: string;
  layer: number;
  head: number;
  /** Rows = target (query) positions, columns = source (key) positions. */
  targets: number;
  sources: number;
  targetTokens: string[];
  sourceTokens: string[];
  /** targets × sources, row-major; NaN where nothing was recorded (masked). */
  weights: (number | null)[];
}

export interface Sample {
  stage: string;
  model: string;
  strategy: string;
  prompt: string;
  text: string;
  logProb: number;
}

/**
 * A translated sentence, from a stage's translations.arrow (what the seq2seq
 * stage writes: id int32, source, hypothesis, reference utf8, score float32,
 * split, setting utf8): one row per sentence and decoding setting.
 */
export interface Translation {
  stage: string;
  /** The sentence's number in its split (the same sentence under every setting). */
  id: number;
  split: string;
  /** The decoding that made it: greedy, beam4, ... */
  setting: string;
  source: string;
  hypothesis: string;
  reference: string | null;
  /** The model's score of the hypothesis (log-probability, as the stage defines it). */
  score: number | null;
}

export interface ReportData {
  format: 1;
  generated: string;
  lexflowVersion: string;
  live: boolean;
  runs: RunInfo[];
  perplexity: PerplexityRow[];
  curves: Curve[];
  embeddings: EmbeddingMap[];
  embeddingScores: EmbeddingScores[];
  attention: AttentionMap[];
  samples: Sample[];
  translations: Translation[];
  /** What was sampled or thinned, and what could not be read. */
  notes: string[];
}
