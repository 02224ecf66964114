// Huffman tree over the training vocabulary for hierarchical softmax
// (Mikolov et al. 2013, "Distributed Representations...", sec. 2.1; word2vec.c
// CreateBinaryTree). Word w's path is codelen[w] inner nodes; at step d the
// node is points[w*MAX+d] (a row of syn1) and the branch taken is codes[w*MAX+d].
// Counts must be sorted descending after index 0, as the training vocabulary is.

export const MAX_CODE_LENGTH = 40;

export interface HuffmanTree {
  codes: Uint8Array;
  points: Int32Array;
  codelen: Uint8Array;
}

export function huffmanTree(counts: Float64Array, shared = true): HuffmanTree {
  const V = counts.length;
  const count = new Float64Array(V * 2 + 1);
  const binary = new Uint8Array(V * 2 + 1);
  const parent = new Int32Array(V * 2 + 1);
  for (let a = 0; a < V; a++) count[a] = counts[a]!;
  for (let a = V; a < V * 2; a++) count[a] = 1e15;
  let pos1 = V - 1;
  let pos2 = V;
  // Two queues: leaves by ascending count (walking down from the end), inner nodes as made.
  const pickMin = (): number => {
    if (pos1 >= 0 && count[pos1]! < count[pos2]!) return pos1--;
    return pos2++;
  };
  for (let a = 0; a < V - 1; a++) {
    const min1 = pickMin();
    const min2 = pickMin();
    count[V + a] = count[min1]! + count[min2]!;
    parent[min1] = V + a;
    parent[min2] = V + a;
    binary[min2] = 1;
  }
  const buf = (n: number) => (shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
  const codes = new Uint8Array(buf(V * MAX_CODE_LENGTH));
  const points = new Int32Array(buf(V * MAX_CODE_LENGTH * 4));
  const codelen = new Uint8Array(buf(V));
  const code = new Uint8Array(MAX_CODE_LENGTH);
  const point = new Int32Array(MAX_CODE_LENGTH);
  const root = V * 2 - 2;
  for (let a = 0; a < V; a++) {
    let b = a;
    let i = 0;
    while (b !== root) {
      if (i >= MAX_CODE_LENGTH) throw new Error(`Huffman code longer than ${MAX_CODE_LENGTH} bits`);
      code[i] = binary[b]!;
      point[i] = b;
      i++;
      b = parent[b]!;
    }
    codelen[a] = i;
    const base = a * MAX_CODE_LENGTH;
    points[base] = V - 2;
    for (let k = 0; k < i; k++) {
      codes[base + i - k - 1] = code[k]!;
      // The C tool writes point[i - k] = point[k] - V, one past the path for k = 0
      // (that slot is never read); the inner nodes are rows 0..V-2 of syn1.
      if (i - k < MAX_CODE_LENGTH) points[base + i - k] = point[k]! - V;
    }
  }
  return { codes, points, codelen };
}
