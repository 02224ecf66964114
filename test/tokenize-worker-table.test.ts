// Each worker keeps one type table across the groups it tokenizes
// (stages/tokenize/encode.ts), and the main thread merges a type it has seen
// from that table by its id instead of by a hash lookup (seen-types.ts). The
// provisional ids, tokens and counts must be exactly those of the serial merge
// of every group's local types, whatever the order of tables and groups, when
// a worker drops its table for a new one, when a result is lost (a retried
// remote task), and across a spill.

import t from 'tap';
import { parseSplitFractions } from '../datasets/split.js';
import { tokenizeBlocks, type GroupTask } from '../stages/tokenize/block.js';
import { blockTypes, type EncodedBlock } from '../stages/tokenize/encode.js';
import { TypeTable } from '../stages/tokenize/types.js';
import { SeenTypes } from '../stages/tokenize/seen-types.js';
import { SpillingTypes } from '../stages/tokenize/type-spill.js';
import { tmpDir } from '../testkit/tmp.js';

const base = {
  path: 'x.txt',
  fileId: 'x.txt',
  textField: 'text',
  format: 'txt',
  split: 0,
  fractions: parseSplitFractions([1, 0, 0]),
  options: { normalize: 'none', lowercase: false, tokenizer: 'whitespace', sentences: 'line', onInvalid: 'error' },
} as const;

function group(text: string, tableBytes?: number): EncodedBlock {
  const task: GroupTask = { ...base, blocks: [{ bytes: new TextEncoder().encode(text), offset: 0, firstLine: 1 }], ...(tableBytes !== undefined ? { tableBytes } : {}) };
  return tokenizeBlocks(task);
}

// Hand-made groups: repeats within and across groups, a literal <unk>, a word only in the last.
const TEXTS = ['the cat sat\nthe dog\n', 'a dog ran\nthe cat\n', '<unk> cat cat\nzebra the\n', 'the end\n'];

/** The serial merge: every group's local types looked up in one table, as before per-worker tables. */
function serial(rs: EncodedBlock[]): { table: TypeTable; remaps: number[][] } {
  const table = new TypeTable();
  const remaps = rs.map((r) => Array.from(table.merge({ typeBytes: r.typeBytes, typeEnds: r.typeEnds, typeHashes: r.typeHashes, counts: r.counts })));
  return { table, remaps };
}

function withSeen(rs: EncodedBlock[]): { table: TypeTable; remaps: number[][]; seen: SeenTypes } {
  const table = new TypeTable();
  const seen = new SeenTypes();
  const remaps = rs.map((r) => {
    seen.forget(r.retired);
    return Array.from(table.merge(r, seen.mapOf(r.table, r.tableIds)));
  });
  return { table, remaps, seen };
}

t.test('a worker table gives each type one id across groups', async (t) => {
  const rs = TEXTS.map((s) => group(s));
  const key = rs[0]!.table;
  t.ok(rs.every((r) => r.table === key && r.retired.length === 0), 'one table for every group of this thread');
  const idOf = new Map<string, number>();
  for (const r of rs)
    blockTypes(r).forEach((w, i) => {
      const id = r.tableIds[i]!;
      if (idOf.has(w)) t.equal(id, idOf.get(w), `${w}: the same table id in a later group`);
      idOf.set(w, id);
    });
  t.equal(new Set(idOf.values()).size, idOf.size, 'distinct types, distinct ids');
  // Local ids stay group-local: each group lists only its own types, in first-seen order.
  t.same(blockTypes(rs[1]!), ['a', 'dog', 'ran', 'the', 'cat']);
  t.same(Array.from(rs[1]!.counts), [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0]);
});

t.test('merging by table id gives the serial merge, in any order of tables', async (t) => {
  // Two "workers": this thread's table, then a fresh one (a dropped table stands for a second worker).
  const a = TEXTS.map((s) => group(s));
  const b = [group('dog zebra new\n', 0), group('the new cat\n')];
  t.not(b[0]!.table, a[0]!.table, 'a dropped table comes back under a new key');
  t.ok(b[0]!.retired.includes(a[0]!.table), 'and names the table it replaced');
  const order = [a[0]!, a[1]!, b[1]!, a[2]!, a[3]!];
  const ref = serial(order);
  const got = withSeen(order);
  t.same(got.remaps, ref.remaps, 'the same local -> provisional maps, group by group');
  t.same(got.table.tokens(), ref.table.tokens(), 'the same provisional types in the same order');
  t.same(Array.from(got.table.trainCounts()), Array.from(ref.table.trainCounts()), 'the same counts');
  t.same(got.table.tokens().slice(0, 4), ['<unk>', '<s>', '</s>', '<pad>']);
  t.equal(got.remaps[3]![0], 0, 'a literal <unk> is provisional id 0');
});

t.test('a lost result leaves no hole: each result carries its types', async (t) => {
  const rs = [group('p q r\n', 0), group('q s\n'), group('s t p\n')];
  const kept = [rs[0]!, rs[2]!]; // the middle one never reached the main thread
  t.same(withSeen(kept).remaps, serial(kept).remaps);
  t.same(withSeen(kept).table.tokens(), serial(kept).table.tokens());
});

t.test('a spill starts the maps over; the vocabulary is that of one table', async (t) => {
  const dir = tmpDir(t);
  const rs = [group('u v w u\nv x\n', 0), group('w y z\nu u\n'), group('z z a\nv\n'), group('b u\n')];
  const opts = { minCount: 1, maxSize: 0 };
  const one = new SpillingTypes(`${dir}/a`, 1 << 30);
  const many = new SpillingTypes(`${dir}/b`, 1);
  const blocks = rs.map((r) => {
    const remap = many.merge(r);
    const gen = many.generation;
    many.checkBudget();
    one.merge(r);
    return { r, remap, gen };
  });
  t.ok(many.spilledRuns >= 3, `spilled after every group (${many.spilledRuns} runs)`);
  const a = one.finish(3, opts);
  const b = many.finish(3, opts);
  t.same(b.vocab.tokens, a.vocab.tokens);
  t.same(Array.from(b.vocab.counts), Array.from(a.vocab.counts));
  // Every token of every group maps to the same final id both ways.
  const finalA = a.finalIds(0);
  const oneRemaps = serial(rs).remaps;
  blocks.forEach(({ r, remap, gen }, k) => {
    const fb = b.finalIds(gen);
    t.same(Array.from(r.ids, (i) => fb[remap[i]!]), Array.from(r.ids, (i) => finalA[oneRemaps[k]![i]!]), `group ${k}: same final ids`);
  });
});
