// The one interface decoding needs from a language model, n-gram or neural:
// given a prefix, a distribution over the next token. Greedy, beam,
// temperature, top-k and top-p sampling (stages/decoding/) work on any
// model that implements it.

export interface NextTokenModel {
  /** Size of the vocabulary the distribution ranges over (ids as in vocab.arrow). */
  readonly vocabSize: number;
  /**
   * Natural-log probabilities of every next token id given `prefix` (ids of
   * the tokens so far, starting after `<s>`; `<s>` itself is implied).
   * `</s>` (id 2) ends a sentence; `<s>` and `<pad>` get -Infinity.
   */
  nextLogProbs(prefix: Int32Array): Promise<Float64Array>;
}
