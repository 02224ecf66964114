// `lexflow translate --model DIR "A man is riding a bike."` (or --file FILE,
// or lines on stdin): translate with a trained seq2seq model, by beam search
// (--beam K, --length-penalty α), greedy (--beam 1) or sampling
// (--sample --temperature T --top-k K --top-p P); --with-attention FILE writes
// the attention weights as attention.arrow's table.

import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../pipeline/errors.js';

interface TranslateArgs {
  text?: string;
  model: string;
  file?: string;
  beam: number;
  'length-penalty': number;
  sample?: boolean;
  temperature: number;
  'top-k': number;
  'top-p': number;
  seed: number;
  'with-attention'?: string;
}

async function readInput(a: TranslateArgs): Promise<string[]> {
  if (a.text !== undefined) return [a.text];
  let text: string;
  if (a.file) {
    try {
      text = fs.readFileSync(a.file, 'utf8');
    } catch {
      throw new UsageError(`--file ${a.file}: cannot read it; give a text file with one sentence per line`);
    }
  } else {
    if (process.stdin.isTTY) throw new UsageError('translate: give the sentence as an argument, --file FILE, or lines on stdin');
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

export const translateCommand: CommandModule<object, TranslateArgs> = {
  command: 'translate [text]',
  describe: 'translate sentences with a seq2seq model (beam search, greedy or sampling)',
  builder: (y) =>
    y
      .positional('text', { type: 'string', describe: 'a sentence (else --file, else stdin, one per line)' })
      .option('model', { type: 'string', demandOption: true, describe: 'the seq2seq stage folder of a run, or its model folder' })
      .option('file', { type: 'string', describe: 'sentences to translate, one per line' })
      .option('beam', { type: 'number', default: 4, describe: 'beam width (1 = greedy)' })
      .option('length-penalty', { type: 'number', default: 0.6, describe: 'GNMT length penalty α (Wu et al. 2016); 0 = none' })
      .option('sample', { type: 'boolean', default: false, describe: 'sample instead of searching (with --temperature, --top-k, --top-p)' })
      .option('temperature', { type: 'number', default: 1, describe: 'sampling temperature' })
      .option('top-k', { type: 'number', default: 0, describe: 'sample from the k most probable tokens (0 = all)' })
      .option('top-p', { type: 'number', default: 1, describe: 'sample from the smallest set with this much probability (1 = all)' })
      .option('seed', { type: 'number', default: 1, describe: 'sampling seed' })
      .option('with-attention', { type: 'string', describe: 'write the attention weights of the translations to this Arrow file' }) as never,
  handler: async (a) => {
    if (!Number.isInteger(a.beam) || a.beam < 1) throw new UsageError(`--beam ${a.beam}: give a whole number of at least 1`);
    if (!(a.temperature > 0)) throw new UsageError(`--temperature ${a.temperature}: must be above 0`);
    if (!(a['top-p'] > 0 && a['top-p'] <= 1)) throw new UsageError(`--top-p ${a['top-p']}: must be in (0, 1]`);
    const [{ selectBackend }, { loadSeq2Seq }, { beamTranslate, greedyTranslate }, { decode, encode }, { writeAttention }] = await Promise.all([
      import('../../lib/nn/backend/index.js'),
      import('../../lib/seq2seq/artifacts.js'),
      import('../../lib/seq2seq/decode.js'),
      import('../../lib/seq2seq/pieces.js'),
      import('../../lib/seq2seq/attention-table.js'),
    ]);
    const lines = await readInput(a);
    await selectBackend('auto');
    const m = loadSeq2Seq(a.model);
    if (a.beam > m.model.config.tgtVocab) throw new UsageError(`--beam ${a.beam} is wider than the model's target vocabulary (${m.model.config.tgtVocab} types); use at most ${m.model.config.tgtVocab}`);
    const all = [];
    for (const line of lines) {
      const ids = encode(m.src, m.segmenter.source(line));
      if (ids.length === 0) {
        process.stdout.write('\n');
        continue;
      }
      const keep = Boolean(a['with-attention']);
      const t = a.sample
        ? greedyTranslate(m.model, [ids], { keepAttention: keep, sampling: { temperature: a.temperature, topK: a['top-k'], topP: a['top-p'], seed: a.seed } })[0]!
        : a.beam === 1
          ? greedyTranslate(m.model, [ids], { keepAttention: keep })[0]!
          : beamTranslate(m.model, ids, a.beam, a['length-penalty'], keep)[0]!;
      all.push(t);
      process.stdout.write(decode(m.tgt, t.ids) + '\n');
    }
    if (a['with-attention']) {
      const n = await writeAttention(a['with-attention'], all, m.model.attentionMaps);
      process.stderr.write(`wrote ${n} attention weights to ${a['with-attention']}\n`);
    }
  },
};

export const seq2seqCommands = [translateCommand];
