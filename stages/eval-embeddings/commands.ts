// CLI commands on any embeddings file (embeddings.arrow, word2vec text or binary):
//   lexflow eval similarity --embeddings FILE [--wordsim DIR|FILE]
//   lexflow eval analogy    --embeddings FILE [--analogies FILE] [--restrict N]
//   lexflow neighbors WORD  --embeddings FILE [-k 10]
//   lexflow analogy A B C   --embeddings FILE [-k 5]   (A is to B as C is to ?, B - A + C)
// Vectors are loaded once as one unit-length matrix; a query is one pass of dot products.

import type { CommandModule } from 'yargs';
import { UsageError } from '../../pipeline/errors.js';
import { formatTable } from '../../pipeline/cli/table.js';
import { loadEmbeddings, type LoadedEmbeddings } from '../../lib/formats/vectors.js';
import { analogyQuery, nearest } from '../../lib/embeddings/neighbors.js';
import { lookupWord } from '../../lib/embeddings/wordsim.js';
import { analogyResult, analogyRows, defaultAnalogies, defaultWordsim, metricsTable, similarityFiles, similarityRows } from './evaluate.js';

const embeddingsOption = { type: 'string', demandOption: true, describe: 'embeddings.arrow, or a word2vec text/binary file (format detected)' } as const;

async function load(file: string): Promise<LoadedEmbeddings> {
  const t0 = performance.now();
  const emb = await loadEmbeddings(file);
  process.stderr.write(`loaded ${emb.tokens.length} x ${emb.dim} vectors (${emb.format}) in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
  return emb;
}

function rowOf(emb: LoadedEmbeddings, word: string): number {
  const r = emb.index.get(word) ?? lookupWord(emb.index, word);
  if (r < 0) throw new UsageError(`"${word}" has no vector in this embeddings file`);
  return r;
}

function printNeighbors(emb: LoadedEmbeddings, query: Float32Array, k: number, exclude: Set<number>, t0: number): void {
  const best = nearest(emb.unit, emb.dim, query, k, exclude);
  process.stdout.write(formatTable(['rank', 'word', 'cosine'], best.map((n, i) => [i + 1, emb.tokens[n.row]!, n.cosine.toFixed(4)]), ['r', 'l', 'r']) + '\n');
  process.stderr.write(`answered in ${(performance.now() - t0).toFixed(0)} ms\n`);
}

interface SimArgs { embeddings: string; wordsim?: string }
export const evalSimilarity: CommandModule<object, SimArgs> = {
  command: 'similarity',
  describe: 'Spearman rho of cosine vs human scores on word-similarity sets',
  builder: (y) =>
    y.option('embeddings', embeddingsOption).option('wordsim', { type: 'string', describe: 'folder or file of word1<TAB>word2<TAB>score; default $LEXFLOW_DATA/wordsim' }) as never,
  handler: async (argv) => {
    const where = argv.wordsim ?? defaultWordsim();
    if (!where) throw new UsageError('no word-similarity sets: pass --wordsim DIR or set $LEXFLOW_DATA');
    const emb = await load(argv.embeddings);
    process.stdout.write(metricsTable(similarityRows(emb, similarityFiles(where))) + '\n');
  },
};

interface AnaArgs { embeddings: string; analogies?: string; restrict: number }
export const evalAnalogy: CommandModule<object, AnaArgs> = {
  command: 'analogy',
  describe: '3CosAdd and 3CosMul accuracy on questions-words.txt (as word2vec compute-accuracy)',
  builder: (y) =>
    y
      .option('embeddings', embeddingsOption)
      .option('analogies', { type: 'string', describe: 'questions-words.txt format; default $LEXFLOW_DATA/analogy/questions-words.txt' })
      .option('restrict', { type: 'number', default: 30000, describe: 'only the N most frequent words (the first N rows)' }) as never,
  handler: async (argv) => {
    const file = argv.analogies ?? defaultAnalogies();
    if (!file) throw new UsageError('no analogy questions: pass --analogies FILE or set $LEXFLOW_DATA');
    if (!(argv.restrict >= 1)) throw new UsageError(`--restrict ${argv.restrict} must be at least 1`);
    const emb = await load(argv.embeddings);
    process.stdout.write(metricsTable(analogyRows(await analogyResult(emb, file, argv.restrict))) + '\n');
  },
};

interface NbArgs { word: string; embeddings: string; k: number }
export const neighborsCommand: CommandModule<object, NbArgs> = {
  command: 'neighbors <word>',
  describe: 'nearest words by cosine similarity',
  builder: (y) =>
    y
      .positional('word', { type: 'string', demandOption: true })
      .option('embeddings', embeddingsOption)
      .option('k', { type: 'number', default: 10, describe: 'how many neighbours' }) as never,
  handler: async (argv) => {
    if (!(argv.k >= 1)) throw new UsageError(`-k ${argv.k} must be at least 1`);
    const emb = await load(argv.embeddings);
    const t0 = performance.now();
    const r = rowOf(emb, String(argv.word));
    printNeighbors(emb, emb.unit.subarray(r * emb.dim, (r + 1) * emb.dim), argv.k, new Set([r]), t0);
  },
};

interface AnArgs { a: string; b: string; c: string; embeddings: string; k: number }
export const analogyCommand: CommandModule<object, AnArgs> = {
  command: 'analogy <a> <b> <c>',
  describe: 'A is to B as C is to ? (nearest words to B - A + C, as word2vec word-analogy; e.g. man king woman)',
  builder: (y) =>
    y
      .positional('a', { type: 'string', demandOption: true })
      .positional('b', { type: 'string', demandOption: true })
      .positional('c', { type: 'string', demandOption: true })
      .option('embeddings', embeddingsOption)
      .option('k', { type: 'number', default: 5, describe: 'how many answers' }) as never,
  handler: async (argv) => {
    if (!(argv.k >= 1)) throw new UsageError(`-k ${argv.k} must be at least 1`);
    const emb = await load(argv.embeddings);
    const t0 = performance.now();
    const [a, b, c] = [rowOf(emb, String(argv.a)), rowOf(emb, String(argv.b)), rowOf(emb, String(argv.c))];
    process.stdout.write(`${argv.b} - ${argv.a} + ${argv.c}:\n`);
    printNeighbors(emb, analogyQuery(emb.unit, emb.dim, a, b, c), argv.k, new Set([a, b, c]), t0);
  },
};
