// Word analogies "a is to b as c is to ?" in word2vec's questions-words.txt
// format (": section" lines, then "a b c d" per line), scored as word2vec's
// compute-accuracy does so the numbers compare with it:
//   - only the N most frequent words (the first N rows: vectors are stored by
//     descending frequency) are looked up and searched (`restrict`, 30000 in
//     the word2vec demo scripts);
//   - matching is case-insensitive; a question counts as seen only when all
//     four words are among those N;
//   - a, b and c are never answers; accuracy = correct / seen, plus seen / total.
// Two objectives (Levy & Goldberg 2014, "Linguistic Regularities in Sparse and
// Explicit Word Representations"), over unit vectors:
//   3CosAdd: argmax_d cos(d,b) - cos(d,a) + cos(d,c)            (= (b - a + c) . d)
//   3CosMul: argmax_d cos'(d,b) cos'(d,c) / (cos'(d,a) + 0.001), cos' = (cos + 1) / 2

import fs from 'node:fs';
import { InputError } from '../../pipeline/errors.js';

export interface AnalogySection {
  name: string;
  /** compute-accuracy's split: sections whose name starts with `gram` are syntactic. */
  semantic: boolean;
  /** 4 words per question, as written. */
  questions: [string, string, string, string][];
}

export function parseAnalogies(text: string, file: string): AnalogySection[] {
  const sections: AnalogySection[] = [];
  let current: AnalogySection | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '').trim();
    if (line === '') continue;
    if (line.startsWith(':')) {
      const name = line.slice(1).trim();
      current = { name, semantic: !name.startsWith('gram'), questions: [] };
      sections.push(current);
      continue;
    }
    const w = line.split(/\s+/);
    if (w.length !== 4) throw new InputError(file, `line ${i + 1} is neither ": section" nor 4 words: ${JSON.stringify(line.slice(0, 80))}`, 'Give a file in word2vec questions-words.txt format');
    if (!current) {
      current = { name: '(no section)', semantic: true, questions: [] };
      sections.push(current);
    }
    current.questions.push(w as [string, string, string, string]);
  }
  if (!sections.some((s) => s.questions.length > 0)) throw new InputError(file, 'no analogy questions', 'Give a file in word2vec questions-words.txt format');
  return sections;
}

export function readAnalogyFile(file: string): AnalogySection[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new InputError(file, 'cannot read the analogy file', 'Check the path');
  }
  return parseAnalogies(text, file);
}

/** Case-folded word -> its most frequent row among the first `restrict` rows. */
export function restrictedIndex(tokens: readonly string[], restrict: number): Map<string, number> {
  const index = new Map<string, number>();
  const n = Math.min(restrict, tokens.length);
  for (let i = 0; i < n; i++) {
    const key = tokens[i]!.toLowerCase();
    if (!index.has(key)) index.set(key, i);
  }
  return index;
}

export interface BestAnswers {
  /** Per question: best row and its score under 3CosAdd and 3CosMul (-1 / -Infinity when none). */
  addRow: Int32Array;
  addScore: Float64Array;
  mulRow: Int32Array;
  mulScore: Float64Array;
}

const MUL_EPS = 0.001;
const BLOCK = 2048;

/**
 * Best answers among candidate rows [lo, hi) for questions given as row triples
 * (a, b, c) in `abc` (3 per question). `unit` holds L2-normalized rows. The
 * cosines of each distinct question word with a block of candidates are
 * computed once and shared by every question using that word. Pure: the eval
 * stage splits [0, N) across the pool and merges with `mergeBest`.
 */
export function bestAnswersInRange(unit: Float32Array, dim: number, abc: Int32Array, lo: number, hi: number): BestAnswers {
  const q = abc.length / 3;
  const out: BestAnswers = {
    addRow: new Int32Array(q).fill(-1),
    addScore: new Float64Array(q).fill(-Infinity),
    mulRow: new Int32Array(q).fill(-1),
    mulScore: new Float64Array(q).fill(-Infinity),
  };
  // Distinct question words and, per question, their slot.
  const slotOf = new Map<number, number>();
  const slotRows: number[] = [];
  const slots = new Int32Array(abc.length);
  for (let k = 0; k < abc.length; k++) {
    let s = slotOf.get(abc[k]!);
    if (s === undefined) {
      s = slotRows.length;
      slotOf.set(abc[k]!, s);
      slotRows.push(abc[k]!);
    }
    slots[k] = s;
  }
  const u = slotRows.length;
  const sims = new Float32Array(u * BLOCK); // (u, block) cosines
  for (let b0 = lo; b0 < hi; b0 += BLOCK) {
    const b1 = Math.min(hi, b0 + BLOCK);
    const width = b1 - b0;
    for (let s = 0; s < u; s++) {
      const w = slotRows[s]! * dim;
      const o = s * BLOCK;
      for (let c = b0; c < b1; c++) {
        const v = c * dim;
        let dot = 0;
        for (let k = 0; k < dim; k++) dot += unit[w + k]! * unit[v + k]!;
        sims[o + c - b0] = dot;
      }
    }
    for (let i = 0; i < q; i++) {
      const ra = abc[3 * i]!;
      const rb = abc[3 * i + 1]!;
      const rc = abc[3 * i + 2]!;
      const sa = slots[3 * i]! * BLOCK;
      const sb = slots[3 * i + 1]! * BLOCK;
      const sc = slots[3 * i + 2]! * BLOCK;
      let addBest = out.addScore[i]!;
      let addRow = out.addRow[i]!;
      let mulBest = out.mulScore[i]!;
      let mulRow = out.mulRow[i]!;
      for (let j = 0; j < width; j++) {
        const row = b0 + j;
        if (row === ra || row === rb || row === rc) continue;
        const ca = sims[sa + j]!;
        const cb = sims[sb + j]!;
        const cc = sims[sc + j]!;
        const add = cb - ca + cc;
        if (add > addBest) {
          addBest = add;
          addRow = row;
        }
        const mul = (((cb + 1) / 2) * ((cc + 1) / 2)) / ((ca + 1) / 2 + MUL_EPS);
        if (mul > mulBest) {
          mulBest = mul;
          mulRow = row;
        }
      }
      out.addScore[i] = addBest;
      out.addRow[i] = addRow;
      out.mulScore[i] = mulBest;
      out.mulRow[i] = mulRow;
    }
  }
  return out;
}

/** Merge results over disjoint candidate ranges given in ascending order (ties keep the lower row). */
export function mergeBest(parts: readonly BestAnswers[]): BestAnswers {
  const first = parts[0]!;
  const out: BestAnswers = {
    addRow: first.addRow.slice(),
    addScore: first.addScore.slice(),
    mulRow: first.mulRow.slice(),
    mulScore: first.mulScore.slice(),
  };
  for (const p of parts.slice(1))
    for (let i = 0; i < out.addRow.length; i++) {
      if (p.addScore[i]! > out.addScore[i]!) {
        out.addScore[i] = p.addScore[i]!;
        out.addRow[i] = p.addRow[i]!;
      }
      if (p.mulScore[i]! > out.mulScore[i]!) {
        out.mulScore[i] = p.mulScore[i]!;
        out.mulRow[i] = p.mulRow[i]!;
      }
    }
  return out;
}

export interface AnalogyCounts {
  name: string;
  semantic: boolean;
  total: number;
  seen: number;
  correctAdd: number;
  correctMul: number;
}

/** The seen questions as row triples plus the answers' case-folded forms, by section. */
export interface AnalogyPlan {
  abc: Int32Array;
  answers: string[];
  sectionOf: Int32Array;
  sections: AnalogyCounts[];
}

export function planAnalogies(tokens: readonly string[], sections: readonly AnalogySection[], restrict: number): AnalogyPlan {
  const index = restrictedIndex(tokens, restrict);
  const abc: number[] = [];
  const answers: string[] = [];
  const sectionOf: number[] = [];
  const counts: AnalogyCounts[] = sections.map((s) => ({ name: s.name, semantic: s.semantic, total: s.questions.length, seen: 0, correctAdd: 0, correctMul: 0 }));
  sections.forEach((s, si) => {
    for (const q of s.questions) {
      const rows = q.map((w) => index.get(w.toLowerCase()));
      if (rows.some((r) => r === undefined)) continue;
      abc.push(rows[0]!, rows[1]!, rows[2]!);
      answers.push(q[3].toLowerCase());
      sectionOf.push(si);
      counts[si]!.seen++;
    }
  });
  return { abc: Int32Array.from(abc), answers, sectionOf: Int32Array.from(sectionOf), sections: counts };
}

export interface AnalogyResult {
  sections: AnalogyCounts[];
  /** Over all sections, then semantic and syntactic ones. */
  overall: AnalogyCounts;
  semantic: AnalogyCounts;
  syntactic: AnalogyCounts;
}

function sum(name: string, parts: AnalogyCounts[], semantic: boolean): AnalogyCounts {
  const c = { name, semantic, total: 0, seen: 0, correctAdd: 0, correctMul: 0 };
  for (const p of parts) {
    c.total += p.total;
    c.seen += p.seen;
    c.correctAdd += p.correctAdd;
    c.correctMul += p.correctMul;
  }
  return c;
}

/** Score `best` for `plan`: an answer is right when its case-folded token equals the expected word. */
export function scoreAnalogies(tokens: readonly string[], plan: AnalogyPlan, best: BestAnswers): AnalogyResult {
  const sections = plan.sections.map((s) => ({ ...s, correctAdd: 0, correctMul: 0 }));
  for (let i = 0; i < plan.answers.length; i++) {
    const s = sections[plan.sectionOf[i]!]!;
    const want = plan.answers[i]!;
    if (best.addRow[i]! >= 0 && tokens[best.addRow[i]!]!.toLowerCase() === want) s.correctAdd++;
    if (best.mulRow[i]! >= 0 && tokens[best.mulRow[i]!]!.toLowerCase() === want) s.correctMul++;
  }
  return {
    sections,
    overall: sum('total', sections, false),
    semantic: sum('semantic', sections.filter((s) => s.semantic), true),
    syntactic: sum('syntactic', sections.filter((s) => !s.semantic), false),
  };
}

/** Single-threaded analogy accuracy (the stage and CLI split the candidate range across the pool). */
export function evaluateAnalogies(emb: { tokens: readonly string[]; unit: Float32Array; dim: number }, sections: readonly AnalogySection[], restrict = 30000): AnalogyResult {
  const plan = planAnalogies(emb.tokens, sections, restrict);
  const n = Math.min(restrict, emb.tokens.length);
  const best = bestAnswersInRange(emb.unit, emb.dim, plan.abc, 0, n);
  return scoreAnalogies(emb.tokens, plan, best);
}
