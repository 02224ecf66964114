// Attention heatmaps. Any stage folder may hold an `attention.arrow` with
// columns sentence, layer, head, target_pos, source_pos, weight (and, when it
// has them, target_token and source_token): the seq2seq stage's
// cross-attention will be drawn from it as it lands. For a Transformer LM the
// report computes its self-attention on one test sentence itself (cached).

import fs from 'node:fs';
import path from 'node:path';
import { readBatches } from '../arrow.js';
import { listTokenShards, readTokenShard, UNK } from '../../lib/formats/tokens.js';
import { loadLanguageModel } from '../../lib/lm/find-model.js';
import { languageModelKinds } from '../registry.js';
import type { AttentionMap, RunInfo } from './data.js';
import { doneStages, manifestOf, type Cache } from './extract.js';

export const ATTENTION_FILE = 'attention.arrow';
/** Sentences drawn per file, positions kept per axis, maps kept per file. */
const MAX_SENTENCES = 2;
const MAX_POSITIONS = 48;
const MAX_MAPS = 64;
/** Tokens of the sentence a Transformer LM is shown. */
const LM_SENTENCE_TOKENS = 16;

interface Cell {
  t: number;
  s: number;
  w: number;
}

/** Read an attention table (batch by batch) into per-(sentence, layer, head) maps of the first sentences. */
export async function readAttentionTable(file: string, stage: string, notes: string[]): Promise<AttentionMap[]> {
  const groups = new Map<string, { sentence: string; layer: number; head: number; cells: Cell[]; tt: Map<number, string>; st: Map<number, string> }>();
  const sentences: string[] = [];
  let cut = false;
  for await (const b of readBatches(file)) {
    const col = (n: string) => b.getChild(n);
    const [sent, layer, head, tp, sp, w] = ['sentence', 'layer', 'head', 'target_pos', 'source_pos', 'weight'].map(col);
    if (!sent || !layer || !head || !tp || !sp || !w) {
      notes.push(`${stage}/${ATTENTION_FILE}: needs columns sentence, layer, head, target_pos, source_pos, weight; not drawn`);
      return [];
    }
    const ttok = col('target_token');
    const stok = col('source_token');
    const L = layer.toArray() as Int32Array;
    const H = head.toArray() as Int32Array;
    const T = tp.toArray() as Int32Array;
    const S = sp.toArray() as Int32Array;
    const W = w.toArray() as Float32Array;
    for (let i = 0; i < b.numRows; i++) {
      const s = String(sent.get(i));
      if (!sentences.includes(s)) {
        if (sentences.length >= MAX_SENTENCES) {
          cut = true;
          continue;
        }
        sentences.push(s);
      }
      const t = Number(T[i]);
      const src = Number(S[i]);
      if (t >= MAX_POSITIONS || src >= MAX_POSITIONS) {
        cut = true;
        continue;
      }
      const key = `${s}\u0000${L[i]}\u0000${H[i]}`;
      let g = groups.get(key);
      if (!g) {
        if (groups.size >= MAX_MAPS) {
          cut = true;
          continue;
        }
        g = { sentence: s, layer: Number(L[i]), head: Number(H[i]), cells: [], tt: new Map(), st: new Map() };
        groups.set(key, g);
      }
      g.cells.push({ t, s: src, w: Number(W[i]) });
      if (ttok) g.tt.set(t, String(ttok.get(i)));
      if (stok) g.st.set(src, String(stok.get(i)));
    }
  }
  if (cut) notes.push(`${stage}/${ATTENTION_FILE}: drawn for the first ${MAX_SENTENCES} sentences, ${MAX_POSITIONS} positions and ${MAX_MAPS} heads at most`);
  return [...groups.values()].map((g) => {
    const targets = Math.max(0, ...g.cells.map((c) => c.t)) + 1;
    const sources = Math.max(0, ...g.cells.map((c) => c.s)) + 1;
    const weights: (number | null)[] = new Array(targets * sources).fill(null);
    for (const c of g.cells) weights[c.t * sources + c.s] = Number(c.w.toPrecision(3));
    const label = (m: Map<number, string>, n: number): string[] => Array.from({ length: n }, (_, i) => m.get(i) ?? String(i));
    return { stage, file: ATTENTION_FILE, sentence: g.sentence, layer: g.layer, head: g.head, targets, sources, targetTokens: label(g.tt, targets), sourceTokens: label(g.st, sources), weights };
  });
}

export async function attentionMaps(run: RunInfo, cache: Cache, notes: string[]): Promise<AttentionMap[]> {
  const out: AttentionMap[] = [];
  for (const st of doneStages(run)) {
    const file = path.join(run.dir, st.name, ATTENTION_FILE);
    if (fs.existsSync(file)) out.push(...(await readAttentionTable(file, st.name, notes)));
    const m = manifestOf(run, st.name);
    if ((m?.metrics as { arch?: string } | undefined)?.arch === 'transformer' && fs.existsSync(path.join(run.dir, st.name, 'model', 'model.json')))
    {
      const maps = await cache.get(`attention-${st.name}-${st.fingerprint}`, () => transformerAttention(run, st.name, cache));
      if (maps.length) notes.push(`${st.name}: self-attention of every layer and head on the first ${maps[0]!.targets - 1} tokens of a held-out sentence`);
      out.push(...maps);
    }
  }
  return out;
}

/** The Transformer LM's self-attention on the first test (else valid, train) sentence, every layer and head. */
async function transformerAttention(run: RunInfo, stage: string, cache: Cache): Promise<AttentionMap[]> {
  const tokDir = path.join(run.dir, 'tokenize');
  const shard = ['test', 'valid', 'train'].map((s) => listTokenShards(tokDir, s as 'test')[0]).find(Boolean);
  if (!shard) return [];
  const sh = readTokenShard(shard);
  if (sh.rows === 0) return [];
  const lm = await loadLanguageModel(languageModelKinds(), path.join(run.dir, stage), {});
  if (!lm.writeAttention) return [];
  const V = lm.tokens.length;
  const ids = Array.from(sh.ids.subarray(sh.offsets[0]!, Math.min(sh.offsets[1]!, sh.offsets[0]! + LM_SENTENCE_TOKENS)), (id: number) => (id < V ? id : UNK));
  fs.mkdirSync(cache.dir, { recursive: true });
  const tmp = path.join(cache.dir, `attention-${stage}-${process.pid}.arrow`);
  try {
    await lm.writeAttention(Int32Array.from(ids), tmp);
    const words = ['<s>', ...ids.map((i) => lm.tokens[i]!)];
    const sentence = words.slice(1).join(' ');
    const maps = new Map<string, AttentionMap>();
    const n = words.length;
    for await (const b of readBatches(tmp)) {
      const [L, H, Q, K, W] = ['layer', 'head', 'query_pos', 'key_pos', 'weight'].map((c) => b.getChild(c)!.toArray() as ArrayLike<number>);
      for (let i = 0; i < b.numRows; i++) {
        const key = `${L![i]}/${H![i]}`;
        let m = maps.get(key);
        if (!m) {
          m = { stage, file: '(computed by the report)', sentence, layer: L![i]!, head: H![i]!, targets: n, sources: n, targetTokens: words, sourceTokens: words, weights: new Array(n * n).fill(null) };
          maps.set(key, m);
        }
        m.weights[Q![i]! * n + K![i]!] = Number(W![i]!.toPrecision(3));
      }
    }
    return [...maps.values()];
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
