// Token spans of one text: where each token starts and ends (UTF-16 indices)
// and how many line breaks precede it. Pre-tokenizers fill it, the sentence
// splitter reads it, the encoder turns spans into ids. Growable typed arrays,
// reused across texts, so a block allocates nothing per token.

export class TokenSpans {
  count = 0;
  start = new Int32Array(4096);
  end = new Int32Array(4096);
  /** Line breaks in the whitespace before the token (capped at 255); a blank line is 2. */
  newlines = new Uint8Array(4096);

  reset(): void {
    this.count = 0;
  }

  push(start: number, end: number, newlines: number): void {
    const i = this.count;
    if (i === this.start.length) this.grow();
    this.start[i] = start;
    this.end[i] = end;
    this.newlines[i] = newlines > 255 ? 255 : newlines;
    this.count = i + 1;
  }

  private grow(): void {
    const n = this.start.length * 2;
    const s = new Int32Array(n);
    s.set(this.start);
    const e = new Int32Array(n);
    e.set(this.end);
    const l = new Uint8Array(n);
    l.set(this.newlines);
    this.start = s;
    this.end = e;
    this.newlines = l;
  }

  /** The tokens as strings (tests and debugging; the hot path never builds these). */
  strings(text: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) out.push(text.slice(this.start[i], this.end[i]));
    return out;
  }
}
