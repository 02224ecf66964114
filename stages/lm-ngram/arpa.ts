// ARPA back-off model files (the format of SRILM, IRSTLM and KenLM):
//   \data\  ngram n=<rows> ...  \n-grams:  <log10 p> TAB w1 .. wn [TAB <log10 backoff>]  ...  \end\
// Written as lmplz writes it (every n-gram below the highest order carries a
// backoff, 0 when it is no context), so KenLM's query and build_binary load it;
// read leniently (spaces or tabs) with errors that name the line. The bytes are
// written by arpa-writer.ts.

import fs from 'node:fs';
import readline from 'node:readline';
import { InputError } from '../../pipeline/errors.js';
import { makeBackoffOrder, BackoffModel, type BackoffOrder } from './backoff-model.js';
import { ArpaWriter } from './arpa-writer.js';

/** Write `model` as ARPA text; `tokens[id]` spells word id. */
export async function writeArpa(file: string, model: BackoffModel, tokens: readonly string[]): Promise<void> {
  const out = ArpaWriter.open(file, tokens, model.orders.map((o) => o.rows));
  try {
    for (const o of model.orders) {
      await out.section(o.n);
      await out.lines(o.n, o.words, o.logprob, o.backoff, 0, o.rows);
    }
  } catch (e) {
    await out.abandon();
    throw e;
  }
  await out.end();
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
