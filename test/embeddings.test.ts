// Embedding files: Arrow, word2vec text and binary round trips, byte-exact
// binary layout (as word2vec.c and gensim write it), and clear errors for bad files.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  detectEmbeddingFormat,
  formatFloat32,
  loadEmbeddings,
  normalizeRows,
  readEmbeddingsArrow,
  readWord2vecBinary,
  readWord2vecText,
  writeEmbeddingsArrow,
  writeWord2vecBinary,
  writeWord2vecText,
} from '../lib/formats/vectors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexflow-emb-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const tokens = ['the', 'città', 'of', '<unk>'];
const dim = 3;
const vectors = Float32Array.from([0.1, -2.5, 3e-7, 1, 2, 3, -0.333333, 1e10, 0, 0, 0, 0]);
const emb = { tokens, dim, vectors };

t.test('arrow round trip, several batches', async (t) => {
  const file = path.join(dir, 'e.arrow');
  const many = 20000;
  const toks = Array.from({ length: many }, (_, i) => `w${i}`);
  const vecs = new Float32Array(many * 2).map((_, i) => Math.fround(Math.sin(i)));
  t.equal(await writeEmbeddingsArrow(file, { tokens: toks, dim: 2, vectors: vecs }), many);
  const back = await readEmbeddingsArrow(file);
  t.equal(back.dim, 2);
  t.same(back.tokens, toks);
  t.same(Array.from(back.vectors), Array.from(vecs));
  t.equal(back.index.get('w19999'), 19999);
  t.equal(detectEmbeddingFormat(file), 'arrow');
});

t.test('word2vec text round trip is float32-exact', async (t) => {
  const file = path.join(dir, 'e.txt');
  writeWord2vecText(file, emb);
  const text = fs.readFileSync(file, 'utf8');
  t.ok(text.startsWith('4 3\nthe 0.1 -2.5 3e-7 \n'.slice(0, 12)), 'header then rows');
  t.equal(text.split('\n')[1], 'the 0.1 -2.5 3e-7');
  const back = readWord2vecText(file);
  t.same(back.tokens, tokens);
  t.same(Array.from(back.vectors), Array.from(vectors));
  t.equal(detectEmbeddingFormat(file), 'word2vec-text');
  for (const x of [Math.fround(0.1), Math.fround(1 / 3), Math.fround(-1e-30), Math.fround(123456.789)]) t.equal(Math.fround(Number(formatFloat32(x))), x);
});

t.test('word2vec text as word2vec.c writes it: trailing space, CRLF, no final newline', async (t) => {
  const file = path.join(dir, 'c.txt');
  fs.writeFileSync(file, '2 2\r\nhello 0.500000 -1.000000 \r\nworld 2.000000 0.250000 ');
  const back = readWord2vecText(file);
  t.same(back.tokens, ['hello', 'world']);
  t.same(Array.from(back.vectors), [0.5, -1, 2, 0.25]);
});

t.test('word2vec binary: exact bytes and round trip', async (t) => {
  const file = path.join(dir, 'e.bin');
  writeWord2vecBinary(file, emb);
  const bytes = fs.readFileSync(file);
  // "4 3\n" + per row: word + " " + 12 bytes + "\n"
  const expectLen = 4 + tokens.reduce((s, w) => s + Buffer.byteLength(w) + 1 + 12 + 1, 0);
  t.equal(bytes.length, expectLen);
  t.equal(bytes.toString('latin1', 0, 8), '4 3\nthe ');
  t.equal(bytes.readFloatLE(8), Math.fround(0.1));
  t.equal(bytes.readFloatLE(12), -2.5);
  t.equal(bytes[20], 10);
  const back = readWord2vecBinary(file);
  t.same(back.tokens, tokens);
  t.same(Array.from(back.vectors), Array.from(vectors));
  t.equal(detectEmbeddingFormat(file), 'word2vec-binary');
  const loaded = await loadEmbeddings(file);
  t.equal(loaded.format, 'word2vec-binary');
  t.equal(loaded.index.get('città'), 1);
});

t.test('word2vec binary without row newlines (as gensim 4 writes it) reads', async (t) => {
  const file = path.join(dir, 'nonl.bin');
  const f = new Float32Array([1, 2, 3, 4]);
  fs.writeFileSync(file, Buffer.concat([Buffer.from('2 2\na '), Buffer.from(f.buffer, 0, 8), Buffer.from('b '), Buffer.from(f.buffer, 8, 8)]));
  const back = readWord2vecBinary(file);
  t.same(back.tokens, ['a', 'b']);
  t.same(Array.from(back.vectors), [1, 2, 3, 4]);
});

t.test('bad files are InputErrors that say where', async (t) => {
  const w = (name: string, content: string | Buffer): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  };
  t.throws(() => readWord2vecText(w('h.txt', 'hello world\n')), { name: 'UsageError', message: /bad word2vec header.*line 1/ });
  t.throws(() => readWord2vecText(w('d.txt', '2 3\na 1 2 3\nb 1 2\n')), { message: /line 3 \(word "b"\) has 2 values but the header says dimension 3/ });
  t.throws(() => readWord2vecText(w('t.txt', '3 2\na 1 2\nb 1 2\n')), { message: /truncated.*3 rows.*after 2/ });
  t.throws(() => readWord2vecText(w('x.txt', '1 2\na 1 2\nb 3 4\n')), { message: /more rows than the header/ });
  const row = Buffer.concat([Buffer.from('a '), Buffer.from(new Float32Array([1, 2]).buffer), Buffer.from('\n')]);
  t.throws(() => readWord2vecBinary(w('t.bin', Buffer.concat([Buffer.from('2 2\n'), row, Buffer.from('b '), Buffer.alloc(5)]))), { message: /truncated in row 2 of 2.*5 of 8 vector bytes/ });
  t.throws(() => readWord2vecBinary(w('w.bin', Buffer.concat([Buffer.from('2 2\n'), row]))), { message: /truncated in row 2 of 2/ });
  t.throws(() => readWord2vecBinary(w('dim.bin', Buffer.concat([Buffer.from('1 1\n'), row]))), { message: /dimension 1 in the header disagrees/ });
  await t.rejects(loadEmbeddings(path.join(dir, 'missing.vec')), { message: /no such embeddings file/ });
  t.throws(() => writeWord2vecText(path.join(dir, 'sp.txt'), { tokens: ['a b'], dim: 1, vectors: new Float32Array(1) }), { message: /contains whitespace/ });
});

t.test('normalizeRows: unit rows, zero rows stay zero', async (t) => {
  const u = normalizeRows(Float32Array.from([3, 4, 0, 0]), 2);
  t.same(Array.from(u), [0.6000000238418579, 0.800000011920929, 0, 0]);
});
