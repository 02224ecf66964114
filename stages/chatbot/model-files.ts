// The chatbot stage's folder, which `lexflow chat --model` loads:
//   model.json          what the bot is: encoder and its parameters, context turns, threshold,
//                       the SIF component; `generative`: where the seq2seq part is and how it
//                       decodes (null for a model built with --generative none)
//   index.arrow         one row per (context, reply) pair: id, context (its last N turns),
//                       text (the reply), vector (dense: FixedSizeList<float32>; sparse:
//                       terms List<int32> + vector List<float32>)
//   vocab.arrow         word, df, count over the training turns (the encoder is rebuilt from it)
//   word-vectors.arrow  SIF only: the word vectors kept (embeddings.arrow layout)
//   generative/         --generative rnn: the seq2seq model folder (lib/seq2seq/artifacts.ts:
//                       model.json, weights.bin, vocab-src.arrow with <sep>, vocab-tgt.arrow)
//   metrics.arrow       the evaluation on held-out conversations

import fs from 'node:fs';
import path from 'node:path';
import { A, ArrowFileWriter, columnValues, field, fixedFloat32Data, listInt32, listInt32Data, primitiveData, readTableSync, utf8Data } from '../../pipeline/arrow.js';
import { InputError } from '../../pipeline/errors.js';
import { readEmbeddingsArrow, writeEmbeddingsArrow } from '../../lib/formats/vectors.js';
import { bm25Encoder, sifEncoder, tfidfEncoder, type Bm25Params, type EncoderKind, type SifModel, type WordCounts } from '../../lib/retrieval/encoders.js';
import type { Matrix } from '../../lib/retrieval/vectors.js';
import { RetrievalBot, type ContextOptions, type RetrievalIndex } from '../../lib/chat/retrieval.js';
import type { Bot, BotMode } from '../../lib/chat/bot.js';
import type { DecodeOptions } from '../../lib/chat/decoding.js';
import type { BackendChoice } from '../../lib/nn/backend/choices.js';
import type { GenerativeMeta } from './generative.js';

export const MODEL_FORMAT = 'lexflow-chatbot';

export interface ModelJson {
  format: typeof MODEL_FORMAT;
  version: 1;
  language: string;
  encoder: EncoderKind;
  context: ContextOptions;
  threshold: number;
  bm25: Bm25Params;
  /** Turns and words counted (N and the sum of |d|). */
  docs: number;
  tokens: number;
  sif: { a: number; pc: number[]; vectors: string } | null;
  /** The generative part (a seq2seq model folder and its decoder), when there is one. */
  generative: GenerativeMeta | null;
  rows: number;
}

const listUtf8 = (): A.List<A.Utf8> => new A.List(new A.Field('item', new A.Utf8(), false));
const listFloat32 = (): A.List<A.Float32> => new A.List(new A.Field('item', new A.Float32(), false));

function listUtf8Data(lists: readonly (readonly string[])[]): A.Data<A.List<A.Utf8>> {
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (offsets[i + 1] = offsets[i]! + l.length));
  return A.makeData({ type: listUtf8(), length: lists.length, valueOffsets: offsets, child: utf8Data(lists.flat()) });
}

export async function writeIndex(file: string, ix: RetrievalIndex): Promise<number> {
  const m = ix.rows;
  const base = [field('id', new A.Utf8()), field('context', listUtf8()), field('text', new A.Utf8())];
  const cols: A.Data[] = [utf8Data(ix.ids as string[]), listUtf8Data(ix.contexts), utf8Data(ix.replies as string[])];
  let schema: A.Schema;
  if (m.kind === 'dense') {
    schema = new A.Schema([...base, field('vector', new A.FixedSizeList(m.dim, new A.Field('item', new A.Float32(), false)))]);
    cols.push(fixedFloat32Data(m.dim, m.data));
  } else {
    schema = new A.Schema([...base, field('terms', new A.List(new A.Field('item', new A.Int32(), false))), field('vector', listFloat32())]);
    cols.push(listInt32Data(m.rowPtr, m.col));
    const child = A.makeData({ type: new A.Float32(), length: m.val.length, data: m.val });
    cols.push(A.makeData({ type: listFloat32(), length: m.rows, valueOffsets: m.rowPtr, child }));
  }
  const w = new ArrowFileWriter(file, schema);
  await w.writeColumns(cols);
  return w.close();
}

export async function writeVocab(file: string, c: WordCounts): Promise<number> {
  const w = new ArrowFileWriter(file, new A.Schema([field('word', new A.Utf8()), field('df', new A.Int32()), field('count', new A.Int32())]));
  await w.writeColumns([utf8Data(c.words), primitiveData(new A.Int32(), c.df), primitiveData(new A.Int32(), c.count)]);
  return w.close();
}

export async function writeModel(dir: string, meta: ModelJson, ix: RetrievalIndex, counts: WordCounts, sif: SifModel | undefined): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  rows['index.arrow'] = await writeIndex(path.join(dir, 'index.arrow'), ix);
  rows['vocab.arrow'] = await writeVocab(path.join(dir, 'vocab.arrow'), counts);
  if (sif) rows['word-vectors.arrow'] = await writeEmbeddingsArrow(path.join(dir, 'word-vectors.arrow'), { tokens: sif.words as string[], dim: sif.dim, vectors: sif.vectors });
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(meta, null, 2) + '\n');
  return rows;
}

// ---------------------------------------------------------------- loading

const FIX = 'Point --model at the chatbot stage folder of a run (e.g. out/bot/chatbot), made by `lexflow run --dataset chatterbot=FOLDER --out out/bot`';

/** The model folder: DIR itself, or DIR/chatbot when DIR is a run folder. */
export function findModelDir(dir: string): string {
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (!st) throw new InputError(dir, 'no such folder', FIX);
  if (!st.isDirectory()) throw new InputError(dir, 'is a file, not a chatbot folder', FIX);
  if (fs.existsSync(path.join(dir, 'model.json'))) return dir;
  if (fs.existsSync(path.join(dir, 'chatbot', 'model.json'))) return path.join(dir, 'chatbot');
  const manifest = path.join(dir, '_manifest.json');
  if (fs.existsSync(manifest)) {
    let stage = '?';
    try {
      stage = String((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { stage?: string }).stage);
    } catch {
      /* named below as unknown */
    }
    throw new InputError(dir, `is the output of the ${stage} stage, not of the chatbot stage`, FIX);
  }
  throw new InputError(dir, 'holds no chatbot model (no model.json)', FIX);
}

function readModelJson(dir: string): ModelJson {
  const file = path.join(dir, 'model.json');
  let meta: ModelJson;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJson;
  } catch (e) {
    throw new InputError(file, `is not valid JSON (${(e as Error).message})`, 'Rerun the chatbot stage (lexflow stage chatbot --out RUN --force)');
  }
  if (meta.format !== MODEL_FORMAT) throw new InputError(file, `is not a chatbot model (format ${JSON.stringify(meta.format)})`, FIX);
  return meta;
}

function readCounts(file: string, meta: ModelJson): WordCounts {
  const t = readTableSync(file);
  const words: string[] = [];
  const df = new Int32Array(t.numRows);
  const count = new Int32Array(t.numRows);
  let at = 0;
  for (const b of t.batches) {
    const w = b.getChild('word')!;
    for (let i = 0; i < b.numRows; i++) words.push(w.get(i) as string);
    df.set(columnValues<Int32Array>(b.getChild('df')!.data[0]!), at);
    count.set(columnValues<Int32Array>(b.getChild('count')!.data[0]!), at);
    at += b.numRows;
  }
  const index = new Map<string, number>();
  words.forEach((w, i) => index.set(w, i));
  return { words, index, df, count, docs: meta.docs, tokens: meta.tokens };
}

function readIndexTable(file: string, dim: number): { ids: string[]; contexts: string[][]; replies: string[]; rows: Matrix } {
  const t = readTableSync(file);
  const ids: string[] = [];
  const contexts: string[][] = [];
  const replies: string[] = [];
  const n = t.numRows;
  const dense = A.DataType.isFixedSizeList(t.schema.fields.find((f) => f.name === 'vector')?.type);
  const data = new Float32Array(dense ? n * dim : 0);
  const rowPtr = new Int32Array(n + 1);
  const cols: Int32Array[] = [];
  const vals: Float32Array[] = [];
  let at = 0;
  for (const b of t.batches) {
    const id = b.getChild('id')!;
    const ctx = b.getChild('context')!;
    const text = b.getChild('text')!;
    for (let i = 0; i < b.numRows; i++) {
      ids.push(id.get(i) as string);
      contexts.push([...(ctx.get(i) as Iterable<string>)]);
      replies.push(text.get(i) as string);
    }
    const vec = b.getChild('vector')!.data[0]!;
    if (dense) {
      const child = vec.children[0]!;
      data.set((child.values as Float32Array).subarray(child.offset + vec.offset * dim, child.offset + (vec.offset + vec.length) * dim), at * dim);
    } else {
      const terms = listInt32(b.getChild('terms')!.data[0]!);
      const child = vec.children[0]!;
      const offs = (vec.valueOffsets as Int32Array).subarray(vec.offset, vec.offset + vec.length + 1);
      vals.push((child.values as Float32Array).subarray(child.offset + offs[0]!, child.offset + offs[vec.length]!));
      cols.push(terms.values);
      for (let i = 0; i < b.numRows; i++) rowPtr[at + i + 1] = rowPtr[at]! + terms.offsets[i + 1]!;
    }
    at += b.numRows;
  }
  if (dense) return { ids, contexts, replies, rows: { kind: 'dense', rows: n, dim, data } };
  const nnz = rowPtr[n]!;
  const col = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  let k = 0;
  cols.forEach((c, i) => {
    col.set(c, k);
    val.set(vals[i]!, k);
    k += c.length;
  });
  return { ids, contexts, replies, rows: { kind: 'sparse', rows: n, dim, rowPtr, col, val } };
}

export interface LoadedModel {
  dir: string;
  meta: ModelJson;
  index: RetrievalIndex;
}

export async function loadModel(dirGiven: string): Promise<LoadedModel> {
  const dir = findModelDir(dirGiven);
  const meta = readModelJson(dir);
  const counts = readCounts(path.join(dir, 'vocab.arrow'), meta);
  let encoder;
  if (meta.encoder === 'tfidf') encoder = tfidfEncoder(counts);
  else if (meta.encoder === 'bm25') encoder = bm25Encoder(counts, meta.bm25);
  else {
    if (!meta.sif) throw new InputError(path.join(dir, 'model.json'), 'says encoder sif but has no sif section', 'Rerun the chatbot stage');
    const emb = await readEmbeddingsArrow(path.join(dir, 'word-vectors.arrow'));
    const total = Math.max(1, meta.tokens);
    const p = Float64Array.from(emb.tokens, (w) => Math.max(1, counts.count[counts.index.get(w) ?? -1] ?? 0) / total);
    encoder = sifEncoder({ words: emb.tokens, index: emb.index, dim: emb.dim, vectors: emb.vectors, p, a: meta.sif.a, pc: Float32Array.from(meta.sif.pc) });
  }
  const t = readIndexTable(path.join(dir, 'index.arrow'), encoder.dim);
  return { dir, meta, index: { encoder, context: meta.context, rows: t.rows, ids: t.ids, contexts: t.contexts, replies: t.replies, threshold: meta.threshold } };
}

export interface LoadedBots {
  model: LoadedModel;
  /** What a ChatSession takes: the retrieval bot, and the generative one when the model has it. */
  bots: Partial<Record<BotMode, Bot>>;
}

/**
 * Everything `lexflow chat` (and a chat box) needs from a chatbot folder: the
 * retrieval bot, and the generative bot when the model has one (TensorFlow.js
 * loads only then). `decode` overrides the decoding the model was built with.
 */
export async function loadBots(dirGiven: string, o: { decode?: Partial<DecodeOptions>; backend?: BackendChoice } = {}): Promise<LoadedBots> {
  const model = await loadModel(dirGiven);
  const bots: Partial<Record<BotMode, Bot>> = { retrieval: new RetrievalBot(model.index) };
  const g = model.meta.generative;
  if (g) {
    const [{ selectBackend }, { loadSeq2Seq }, { GenerativeBot }] = await Promise.all([import('../../lib/nn/backend/index.js'), import('../../lib/seq2seq/artifacts.js'), import('../../lib/chat/generative.js')]);
    await selectBackend(o.backend ?? 'auto');
    const where = path.join(model.dir, g.dir);
    if (!fs.existsSync(path.join(where, 'model.json')))
      throw new InputError(where, 'is missing, but model.json says the generative part is there', 'Copy the chatbot folder whole, or rerun the chatbot stage (lexflow stage chatbot --out RUN --force)');
    const s = loadSeq2Seq(where);
    if (!s.src.index.has(g.separator))
      throw new InputError(path.join(model.dir, g.dir), `its source vocabulary has no ${g.separator} separator where the chatbot expects it`, 'Rerun the chatbot stage (lexflow stage chatbot --out RUN --force)');
    bots.generative = new GenerativeBot({ model: s.model, src: s.src, tgt: s.tgt, shape: g.shape }, { ...g.decode, ...o.decode });
  }
  return { model, bots };
}
