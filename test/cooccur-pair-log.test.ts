// The pair log (pair-log.ts): logged pairs, repeated or not, drain into per-row
// arrays whose sums per (row, col) equal an independent count, with symmetric
// pairs expanded both ways; the log grows a chunk at a time and resets after a drain.
import t from 'tap';
import { LOG_CHUNK, PairLog } from '../stages/cooccur/pair-log.js';
import { DenseRegion, drainDenseByRow, type RowGroups } from '../stages/cooccur/dense-region.js';

// weight units by distance: here the distance d weighs d
const UNITS = Float64Array.from({ length: 16 }, (_, d) => d);

/** Weight of every (row, col) in some row groups: a sum, or an event's distance's weight. */
function sumsOf(gs: RowGroups | RowGroups[], V: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const g of Array.isArray(gs) ? gs : [gs])
    for (let r = 0; r < V; r++)
      for (let k = g.starts[r]!; k < g.starts[r + 1]!; k++) {
        const w = g.sums ? g.sums[k]! : UNITS[g.dists![k]!]!;
        m.set(`${r} ${g.cols[k]}`, (m.get(`${r} ${g.cols[k]}`) ?? 0) + w);
      }
  return m;
}

t.test('hand-worked: repeats add up, symmetric pairs both ways, (a, a) twice', async (t) => {
  const log = new PairLog(100);
  log.add(0, 2, 3);
  log.add(1, 1, 1);
  log.add(0, 2, 4);
  const g = log.drainByRow(3, true);
  // a repeat stays its own entry (the merge adds them): rows 0 and 2 get two each, (1, 1) two
  t.same(Array.from(g.starts), [0, 2, 4, 6]);
  t.ok(g.dists && !g.sums, 'events drain as distances');
  t.same([...sumsOf(g, 3)].sort(), [['0 2', 7], ['1 1', 2], ['2 0', 7]]);
  t.equal(log.size, 0, 'empty after the drain');
  log.add(2, 0, 5);
  t.same([...sumsOf(log.drainByRow(3, false), 3)], [['2 0', 5]], 'not symmetric: as logged');
});

for (const symmetric of [true, false])
  t.test(`random pairs past the initial capacity, with a dense region, ${symmetric ? 'symmetric' : 'left contexts'}`, async (t) => {
    const V = 500;
    let x = 7;
    const rand = (): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const log = new PairLog(1 << 20);
    const dense = new DenseRegion(V, symmetric, 400);
    const want = new Map<string, number>();
    const count = (r: number, c: number, w: number): void => void want.set(`${r} ${c}`, (want.get(`${r} ${c}`) ?? 0) + w);
    for (let e = 0; e < 200_000; e++) {
      const a = Math.floor(V * rand() ** 2);
      const b = Math.floor(V * rand() ** 2);
      const w = 1 + Math.floor(rand() * 9);
      const r = symmetric && b < a ? b : a;
      const c = symmetric && b < a ? a : b;
      if (r < dense.lim.length && c < dense.lim[r]!) dense.cells[dense.off[r]! + c]! += w;
      else log.add(r, c, w);
      count(a, b, w);
      if (symmetric) count(b, a, w);
    }
    t.ok(log.size > 2 * LOG_CHUNK, `${log.size} logged, past two chunks`);
    const drained = [log.drainByRow(V, symmetric), drainDenseByRow(dense, V, symmetric)];
    t.ok(drained[1]!.sums, 'the dense region drains as sums');
    const got = sumsOf(drained, V);
    t.equal(got.size, want.size);
    let bad = 0;
    for (const [k, w] of want) if (got.get(k) !== w) bad++;
    t.equal(bad, 0, 'every (row, col) sums as counted');
    // refilled after the drain (its chunks reused): only the new events come out
    log.add(3, 7, 2);
    log.add(3, 7, 5);
    t.same([...sumsOf(log.drainByRow(V, symmetric), V)].sort(), symmetric ? [['3 7', 7], ['7 3', 7]] : [['3 7', 7]], 'a second fill holds only its own events');
  });
