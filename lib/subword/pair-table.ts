// An open-addressing hash table from a pair of non-negative int32 ids to an int32
// value, in typed arrays: the hot lookup of BPE training and encoding, several times
// faster than a Map keyed by a*2^22+b (such keys are heap numbers, not small ints).

export class PairTable {
  private left: Int32Array;
  private right: Int32Array;
  private value: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.left = new Int32Array(cap).fill(-1);
    this.right = new Int32Array(cap);
    this.value = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private slot(a: number, b: number): number {
    let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    h ^= h >>> 15;
    let i = h & this.mask;
    const L = this.left;
    while (L[i] !== -1 && (L[i] !== a || this.right[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  /** The value of (a, b), or -1 when absent. */
  get(a: number, b: number): number {
    const i = this.slot(a, b);
    return this.left[i] === -1 ? -1 : this.value[i]!;
  }

  /** Set (a, b) to v (v >= 0). */
  set(a: number, b: number, v: number): void {
    let i = this.slot(a, b);
    if (this.left[i] === -1) {
      if ((this.size + 1) * 2 > this.left.length) {
        this.grow();
        i = this.slot(a, b);
      }
      this.left[i] = a;
      this.right[i] = b;
      this.size++;
    }
    this.value[i] = v;
  }

  private grow(): void {
    const { left, right, value } = this;
    const cap = left.length * 2;
    this.left = new Int32Array(cap).fill(-1);
    this.right = new Int32Array(cap);
    this.value = new Int32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < left.length; i++) {
      if (left[i] === -1) continue;
      const j = this.slot(left[i]!, right[i]!);
      this.left[j] = left[i]!;
      this.right[j] = right[i]!;
      this.value[j] = value[i]!;
    }
  }
}
