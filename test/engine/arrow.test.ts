// Arrow helpers: streamed writes read back batch by batch, zero-copy list
// access, and clear errors for truncated or foreign files.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import * as A from 'apache-arrow';
import { ArrowFileWriter, field, listInt32, listInt32Data, listOfInt32, openArrow, primitiveData, readBatches, readTableSync, utf8Data, fixedFloat32Data } from '../../pipeline/arrow.js';
import { readTokenShard, shardName, tokensSchema } from '../../lib/formats/tokens.js';
import { columnStats, batchRowCounts, readRows } from '../../pipeline/inspect.js';
import { tmpDir } from '../../testkit/tmp.js';

t.test('write batches streaming, read them back, List<int32> as typed arrays', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, shardName('train', 0));
  const w = new ArrowFileWriter(file, tokensSchema);
  await w.writeColumns([primitiveData(new A.Uint32(), new Uint32Array([0, 0, 1])), listInt32Data(new Int32Array([0, 2, 2, 5]), new Int32Array([4, 5, 6, 7, 8]))]);
  await w.writeColumns([primitiveData(new A.Uint32(), new Uint32Array([2])), listInt32Data(new Int32Array([0, 1]), new Int32Array([9]))]);
  t.equal(await w.close(), 4);
  const f = await openArrow(file);
  t.equal(f.numBatches, 2);
  t.same(await batchRowCounts(f), [3, 1]);
  const b0 = await f.batch(0);
  const { offsets, values } = listInt32(b0.getChild('ids')!.data[0]!);
  t.same([...offsets], [0, 2, 2, 5]);
  t.same([...values], [4, 5, 6, 7, 8]);
  t.same(await readRows(f, 2, 2, [3, 1]), [{ doc: 1, ids: [6, 7, 8] }, { doc: 2, ids: [9] }]);
  await f.close();
  let rows = 0;
  for await (const b of readBatches(file)) rows += b.numRows;
  t.equal(rows, 4);
  // The token-shard reader concatenates multi-batch files.
  const s = readTokenShard(file);
  t.same([...s.docs], [0, 0, 1, 2]);
  t.same([...s.offsets], [0, 2, 2, 5, 6]);
  t.same([...s.ids], [4, 5, 6, 7, 8, 9]);
});

t.test('one-batch shards are read without copying', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'one.arrow');
  const w = new ArrowFileWriter(file, tokensSchema);
  await w.writeColumns([primitiveData(new A.Uint32(), new Uint32Array([0, 1])), listInt32Data(new Int32Array([0, 3, 4]), new Int32Array([1, 2, 3, 4]))]);
  await w.close();
  const table = readTableSync(file);
  const data = table.getChild('ids')!.data[0]!;
  const { values } = listInt32(data);
  t.equal(values.buffer, (data.children[0]!.values as Int32Array).buffer, 'values are a view into the Arrow buffer');
});

t.test('column statistics', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'emb.arrow');
  const schema = new A.Schema([field('token', new A.Utf8()), field('n', new A.Int32()), field('vector', new A.FixedSizeList(2, new A.Field('item', new A.Float32(), false)))]);
  const w = new ArrowFileWriter(file, schema);
  await w.writeColumns([utf8Data(['b', 'a', 'c']), primitiveData(new A.Int32(), new Int32Array([3, 1, 2])), fixedFloat32Data(2, new Float32Array([1, 2, 3, 4, 5, 6]))]);
  await w.close();
  const f = await openArrow(file);
  const st = await columnStats(f);
  await f.close();
  t.match(st[0], { name: 'token', min: 'a', max: 'c', distinct: 3, nulls: 0 });
  t.match(st[1], { name: 'n', min: 1, max: 3, mean: 2, distinct: 3 });
  t.match(st[2], { name: 'vector', min: 1, max: 6, mean: 3.5, lengths: { min: 2, max: 2, mean: 2 } });
});

t.test('truncated and foreign files are named with the fix', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'x.arrow');
  const w = new ArrowFileWriter(file, new A.Schema([field('ids', listOfInt32())]));
  await w.writeColumns([listInt32Data(new Int32Array([0, 1]), new Int32Array([1]))]);
  await w.close();
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(file, bytes.subarray(0, bytes.length - 20));
  await t.rejects(openArrow(file), { exitCode: 2, message: /x\.arrow: truncated Arrow file .*rerun the stage/ });
  fs.writeFileSync(file, 'hello, this is not arrow at all');
  await t.rejects(openArrow(file), { exitCode: 2, message: /not an Arrow IPC file/ });
  await t.rejects(openArrow(path.join(dir, 'nope.arrow')), { exitCode: 2, message: /no such Arrow file/ });
});
