// The report's maps and curves: PCA, t-SNE, neighbours among mapped words, and
// curve thinning, checked against values worked out by hand or by brute force.

import t from 'tap';
import { neighborsWithin, pca2, tsne2 } from '../../pipeline/report/project.js';
import { lttbIndices } from '../../pipeline/report/downsample.js';

t.test('PCA of a hand-made 3-point set', async (t) => {
  // Points (-1,0,0), (1,0,0), (0,0.5,0): mean (0, 1/6, 0); the x variance (2/3) is the largest,
  // y's (1/18) next, and x and y are uncorrelated, so PC1 = x, PC2 = y (signs: largest entry positive).
  const data = Float32Array.from([-1, 0, 0, 1, 0, 0, 0, 0.5, 0]);
  const { xy, variance } = pca2({ rows: 3, dim: 3, data });
  const want = [-1, -1 / 6, 1, -1 / 6, 0, 1 / 3];
  for (let i = 0; i < 6; i++) t.ok(Math.abs(xy[i]! - want[i]!) < 1e-6, `coordinate ${i}: ${xy[i]} ≈ ${want[i]}`);
  t.ok(Math.abs(variance[0] - 2 / 3) < 1e-6, `first variance ${variance[0]} = 2/3`);
  t.ok(Math.abs(variance[1] - 1 / 18) < 1e-6, `second variance ${variance[1]} = 1/18`);
});

t.test('PCA finds a tilted direction', async (t) => {
  // Points on the line y = 2x (plus a small offset in z): PC1 is (1,2,0)/√5.
  const pts = [-2, -1, 0, 1, 2];
  const data = Float32Array.from(pts.flatMap((x, i) => [x, 2 * x, i % 2 ? 0.01 : -0.01]));
  const { xy } = pca2({ rows: 5, dim: 3, data });
  for (let i = 0; i < 5; i++) t.ok(Math.abs(xy[i * 2]! - pts[i]! * Math.sqrt(5)) < 1e-4, `projection of point ${i}`);
});

t.test('t-SNE keeps two separated clusters apart', async (t) => {
  // 20 points around (1,0,0,0), 20 around (0,1,0,0): each point's nearest 2-D neighbour is of its own cluster.
  let x = 7;
  const rnd = (): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.2;
  const n = 40;
  const data = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) data[i * 4 + j] = rnd();
    data[i * 4 + (i < 20 ? 0 : 1)]! += 1;
  }
  const y = tsne2({ rows: n, dim: 4, data }, { perplexity: 5, iterations: 300 });
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bd = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = (y[i * 2]! - y[j * 2]!) ** 2 + (y[i * 2 + 1]! - y[j * 2 + 1]!) ** 2;
      if (d < bd) {
        bd = d;
        best = j;
      }
    }
    if (best < 20 === i < 20) ok++;
  }
  t.equal(ok, n, 'every nearest neighbour on the map is in the same cluster');
  t.ok(y.every(Number.isFinite), 'finite coordinates');
});

t.test('neighbours among the mapped words equal a brute-force cosine ranking', async (t) => {
  const rows = 30;
  const dim = 5;
  const data = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * 0.3));
  const k = 4;
  const nb = neighborsWithin({ rows, dim, data }, k);
  const cos = (i: number, j: number): number => {
    let d = 0;
    let a = 0;
    let b = 0;
    for (let q = 0; q < dim; q++) {
      d += data[i * dim + q]! * data[j * dim + q]!;
      a += data[i * dim + q]! ** 2;
      b += data[j * dim + q]! ** 2;
    }
    return d / Math.sqrt(a * b);
  };
  for (let i = 0; i < rows; i++) {
    const want = [...Array(rows).keys()].filter((j) => j !== i).sort((p, q) => cos(i, q) - cos(i, p)).slice(0, k);
    t.same(Array.from(nb.index.subarray(i * k, i * k + k)), want, `row ${i}`);
    t.ok(Math.abs(nb.cosine[i * k]! - cos(i, want[0]!)) < 1e-5);
  }
});

t.test('curve thinning keeps ends and spikes, and short curves whole', async (t) => {
  const n = 50_000;
  const x = Float64Array.from({ length: n }, (_, i) => i);
  const y = Float64Array.from({ length: n }, (_, i) => 5 * Math.exp(-i / 10_000) + 0.01 * Math.sin(i));
  y[31_337] = 40; // one spike
  y[100] = NaN; // a validation-only row: no train loss
  const keep = lttbIndices(x, y, 2000);
  t.equal(keep.length, 2000);
  t.equal(keep[0], 0);
  t.equal(keep[keep.length - 1], n - 1);
  t.ok(keep.includes(31_337), 'the spike survives');
  t.notOk(keep.includes(100), 'NaN rows are skipped');
  t.ok(keep.every((v, i) => i === 0 || v > keep[i - 1]!), 'ascending');
  t.same(lttbIndices([0, 1, 2], [3, NaN, 1], 2000), [0, 2], 'a short curve keeps every finite point');
});
