// ARPA back-off model files (the format of SRILM, IRSTLM and KenLM):
//   \data\  ngram n=<rows> ...  \n-grams:  <log10 p> TAB w1 .. wn [TAB <log10 backoff>]  ...  \end\
// Written as lmplz writes it (every n-gram below the highest order carries a
// backoff, 0 when it is no context), so KenLM's query and build_binary load it;
// read leniently (spaces or tabs) with errors that name the line.

import fs from 'node:fs';
import readline from 'node:readline';
import { InputError } from '../../pipeline/errors.js';
import { makeBackoffOrder, BackoffModel, type BackoffOrder } from './backoff-model.js';

function fmt(x: number): string {
  if (x === -Infinity || x < -99) return '-99';
  if (x === 0) return '0';
  // Float32 values: 8 significant digits round-trip them.
  return x.toPrecision(8);
}

/** Bytes to a file through one reusable buffer (string concatenation of millions of lines is far slower). */
export class ByteSink {
  readonly buf = new Uint8Array(1 << 22);
  pos = 0;
  constructor(private readonly fd: number) {}
  room(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
  }
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    // Words are short: a loop beats TypedArray.set's per-call cost.
    if (n < 32) for (let i = 0; i < n; i++) this.buf[this.pos++] = b[i]!;
    else {
      this.buf.set(b, this.pos);
      this.pos += n;
    }
  }
  /** ASCII text (numbers, keywords). */
  ascii(s: string): void {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }
  /**
   * A log10 value with 8 significant digits (float32 round-trips), written as
   * digits straight into the buffer: toPrecision() per number is the cost of
   * writing a large model otherwise.
   */
  number(x: number): void {
    const a = Math.abs(x);
    if (x === 0 || x === -Infinity || x < -99 || !(a >= 1e-4 && a < 1e6)) {
      this.ascii(fmt(x));
      return;
    }
    let e = Math.floor(Math.log10(a));
    let digits = Math.round(a * POW10[7 - e + 8]!);
    if (digits >= 1e8) {
      e++;
      digits = Math.round(a * POW10[7 - e + 8]!);
    }
    const decimals = 7 - e; // digits after the point (>= 2 here since e <= 5)
    this.room(20);
    const buf = this.buf;
    if (x < 0) buf[this.pos++] = 45; // '-'
    // Integer part, then the fraction without trailing zeros.
    const scale = POW10[decimals + 8]!;
    const intPart = Math.floor(digits / scale);
    let frac = digits - intPart * scale;
    const s = String(intPart);
    for (let i = 0; i < s.length; i++) buf[this.pos++] = s.charCodeAt(i);
    if (frac === 0) return;
    let d = decimals;
    while (frac % 10 === 0) {
      frac /= 10;
      d--;
    }
    buf[this.pos++] = 46; // '.'
    const f = String(frac);
    for (let i = f.length; i < d; i++) buf[this.pos++] = 48;
    for (let i = 0; i < f.length; i++) buf[this.pos++] = f.charCodeAt(i);
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }
  flush(): void {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }
}

/** POW10[k + 8] = 10^k for k = -8..16. */
const POW10 = Float64Array.from({ length: 25 }, (_, i) => Math.pow(10, i - 8));

const TAB = 9;
const SPACE = 32;
const NL = 10;

/** Write `model` as ARPA text; `tokens[id]` spells word id. */
export async function writeArpa(file: string, model: BackoffModel, tokens: readonly string[]): Promise<void> {
  const enc = new TextEncoder();
  const spelled = tokens.map((t) => enc.encode(t));
  const fd = fs.openSync(file, 'w');
  try {
    const out = new ByteSink(fd);
    const N = model.orders.length;
    out.ascii('\\data\\\n');
    for (const o of model.orders) out.ascii(`ngram ${o.n}=${o.rows}\n`);
    for (const o of model.orders) {
      out.ascii(`\n\\${o.n}-grams:\n`);
      const withBackoff = o.n < N;
      const n = o.n;
      for (let r = 0; r < o.rows; r++) {
        out.number(o.logprob[r]!);
        out.byte(TAB);
        out.bytes(spelled[o.words[r * n]!]!);
        for (let k = 1; k < n; k++) {
          out.byte(SPACE);
          out.bytes(spelled[o.words[r * n + k]!]!);
        }
        if (withBackoff) {
          out.byte(TAB);
          out.number(o.backoff[r]!);
        }
        out.byte(NL);
      }
    }
    out.ascii('\n\\end\\\n');
    out.flush();
  } finally {
    fs.closeSync(fd);
  }
}

export interface ArpaModel {
  model: BackoffModel;
  /** Spelling of every id: the given vocabulary, extended with the model's words it lacks. */
  tokens: string[];
}

/**
 * Read an ARPA file. Words map to ids through `index` (the tokenize stage's
 * vocabulary); words it lacks get new ids after `tokens.length`.
 */
export async function readArpa(file: string, tokens: readonly string[], index: ReadonlyMap<string, number>): Promise<ArpaModel> {
  if (!fs.existsSync(file)) throw new InputError(file, 'no such ARPA file', 'Check the path');
  const allTokens = tokens.slice();
  const ids = new Map(index);
  const idOf = (w: string): number => {
    let id = ids.get(w);
    if (id === undefined) {
      id = allTokens.length;
      allTokens.push(w);
      ids.set(w, id);
    }
    return id;
  };
  const declared: number[] = [];
  let state: 'start' | 'data' | 'grams' | 'end' = 'start';
  let n = 0;
  let row = 0;
  let words = new Int32Array(0);
  let logprob = new Float32Array(0);
  let backoff = new Float32Array(0);
  const orders: BackoffOrder[] = [];
  let lineNo = 0;
  const bad = (problem: string): never => {
    throw new InputError(`${file}:${lineNo}`, problem, 'The file is not a complete ARPA model; rewrite it (lmplz --arpa, or lexflow stage lm-ngram)');
  };
  const finishOrder = (): void => {
    if (n === 0) return;
    if (row !== declared[n - 1]) bad(`the \\${n}-grams: section has ${row} n-grams but \\data\\ declares ${declared[n - 1]}`);
    orders.push(makeBackoffOrder(n, words, logprob, backoff));
  };
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const raw of rl) {
    lineNo++;
    const line = raw.trim();
    if (state === 'end') continue;
    if (line === '') continue;
    if (state === 'start') {
      if (line === '\\data\\') state = 'data';
      else if (lineNo > 1000) bad('no \\data\\ header');
      continue;
    }
    if (state === 'data') {
      const m = /^ngram\s+(\d+)\s*=\s*(\d+)$/.exec(line);
      if (m) {
        const k = Number(m[1]);
        if (k !== declared.length + 1) bad(`expected "ngram ${declared.length + 1}=..." here`);
        declared.push(Number(m[2]));
        continue;
      }
      state = 'grams';
    }
    const sec = /^\\(\d+)-grams:$/.exec(line);
    if (sec) {
      finishOrder();
      n = Number(sec[1]);
      if (n !== orders.length + 1 || n > declared.length) bad(`unexpected section \\${n}-grams: (expected \\${orders.length + 1}-grams:)`);
      const rows = declared[n - 1]!;
      words = new Int32Array(rows * n);
      logprob = new Float32Array(rows);
      backoff = new Float32Array(rows);
      row = 0;
      continue;
    }
    if (line === '\\end\\') {
      finishOrder();
      n = 0;
      state = 'end';
      continue;
    }
    if (n === 0) bad(`expected a \\1-grams: section, got "${line.slice(0, 40)}"`);
    const parts = line.split(/\s+/);
    if (parts.length !== n + 1 && parts.length !== n + 2) bad(`expected ${n} words with a log10 probability${n < declared.length ? ' and backoff' : ''}, got "${line.slice(0, 60)}"`);
    if (row >= declared[n - 1]!) bad(`more ${n}-grams than the ${declared[n - 1]} declared in \\data\\`);
    const lp = Number(parts[0]);
    if (!Number.isFinite(lp)) bad(`"${parts[0]}" is not a log10 probability`);
    logprob[row] = lp;
    for (let k = 0; k < n; k++) words[row * n + k] = idOf(parts[k + 1]!);
    if (parts.length === n + 2) {
      const b = Number(parts[n + 1]);
      if (!Number.isFinite(b)) bad(`"${parts[n + 1]}" is not a log10 backoff`);
      backoff[row] = b;
    }
    row++;
  }
  if (state === 'start') bad('no \\data\\ header: not an ARPA file');
  if (state !== 'end') {
    bad(`the file ends here, before \\end\\ (truncated${n ? ` in the \\${n}-grams: section after ${row} of ${declared[n - 1]} n-grams` : ''})`);
  }
  if (orders.length !== declared.length) bad(`\\data\\ declares ${declared.length} orders but ${orders.length} sections were found`);
  return { model: new BackoffModel(orders, allTokens.length), tokens: allTokens };
}
