// `lexflow eval bleu --hyp FILE --ref FILE [--ref FILE2] [--json] [--sentence]`:
// corpus BLEU and chrF of any line-aligned text files, printed as sacreBLEU
// prints them (lib/metrics), with the signature saying what was used.
// `lexflow eval bleu --model DIR --split test [--beam K]` translates the split
// with a trained seq2seq model first (eval-bleu-model.ts).

import type { CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { corpusBleu, fixed, formatBleu, sentenceBleu, type BleuScore } from '../../lib/metrics/bleu.js';
import { corpusChrf, type ChrfScore } from '../../lib/metrics/chrf.js';
import { readScoringFiles } from '../../lib/metrics/lines.js';
import { translateModelSplit } from './eval-bleu-model.js';

export interface EvalBleuArgs {
  hyp: string;
  ref: string[];
  model?: string;
  split?: string;
  beam?: number;
  'length-penalty'?: number;
  json?: boolean;
  sentence?: boolean;
  lowercase?: boolean;
  tokenize?: string;
}

export function bleuReport(b: BleuScore, c: ChrfScore): string {
  return `${formatBleu(b)}\n  signature: ${b.signature}\n${c.name} = ${fixed(c.score, 2)}\n  signature: ${c.signature}\n`;
}

export function bleuJson(b: BleuScore, c: ChrfScore): Record<string, unknown> {
  return {
    bleu: b.score,
    precisions: b.precisions,
    bp: b.bp,
    ratio: b.ratio,
    hyp_len: b.sysLen,
    ref_len: b.refLen,
    counts: b.correct,
    totals: b.total,
    signature: b.signature,
    chrf: c.score,
    chrf_signature: c.signature,
  };
}

export function evalBleu(args: EvalBleuArgs, write: (s: string) => void = (s) => process.stdout.write(s), given?: { hyps: string[]; refs: string[][] }): { bleu: BleuScore; chrf: ChrfScore } {
  const refFiles = (Array.isArray(args.ref) ? args.ref : [args.ref]).filter((r) => r !== undefined);
  if (!given && refFiles.length === 0) throw new UsageError('eval bleu: give at least one --ref FILE');
  const tokenize = (args.tokenize ?? '13a') as '13a' | 'none';
  if (tokenize !== '13a' && tokenize !== 'none') throw new UsageError(`--tokenize ${args.tokenize}: choose 13a (the default, as sacreBLEU) or none`);
  const { hyps, refs } = given ?? readScoringFiles(args.hyp, refFiles);
  const o = { tokenize, lowercase: args.lowercase ?? false };
  const bleu = corpusBleu(hyps, refs, o);
  const chrf = corpusChrf(hyps, refs, { lowercase: o.lowercase });
  if (args.sentence)
    hyps.forEach((h, i) => {
      const s = sentenceBleu(h, refs.map((r) => r[i]!), o);
      write(args.json ? JSON.stringify({ line: i + 1, bleu: s.score }) + '\n' : `${i + 1}\t${fixed(s.score, 2)}\t${h}\n`);
    });
  write(args.json ? JSON.stringify(bleuJson(bleu, chrf)) + '\n' : bleuReport(bleu, chrf));
  return { bleu, chrf };
}

const command: CommandModule<object, EvalBleuArgs> = {
  command: 'bleu',
  describe: 'corpus BLEU and chrF of a hypothesis file against reference files, or of a seq2seq model on a split of its run (sacreBLEU defaults)',
  builder: (y) =>
    y
      .option('hyp', { type: 'string', describe: 'hypotheses, one segment per line (detokenized text)' })
      .option('ref', { type: 'string', array: true, describe: 'references, line-aligned with --hyp; repeat for several references' })
      .option('model', { type: 'string', describe: 'instead of --hyp/--ref: the seq2seq stage folder of a run; translates --split with its model' })
      .option('split', { type: 'string', default: 'test', describe: 'with --model: valid or test' })
      .option('beam', { type: 'number', default: 4, describe: 'with --model: beam width (1 = greedy)' })
      .option('length-penalty', { type: 'number', default: 0.6, describe: 'with --model: GNMT length penalty α (Wu et al. 2016); 0 = none' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object instead of the sacreBLEU-style lines' })
      .option('sentence', { type: 'boolean', default: false, describe: 'also print sentence-level BLEU of every line (effective order, as sacreBLEU)' })
      .option('lowercase', { type: 'boolean', default: false, describe: 'case-insensitive BLEU and chrF (signature case:lc)' })
      .option('tokenize', { type: 'string', default: '13a', describe: '13a (as sacreBLEU and the WMT scripts) or none' }) as never,
  handler: async (argv) => {
    if (argv.model !== undefined) {
      if (argv.hyp !== undefined || (argv.ref ?? []).length > 0) throw new UsageError('eval bleu: give either --model DIR (translate its --split) or --hyp FILE --ref FILE, not both');
      const { hyps, refs } = await translateModelSplit({ model: argv.model, split: argv.split ?? 'test', beam: argv.beam ?? 4, lengthPenalty: argv['length-penalty'] ?? 0.6 });
      evalBleu(argv, undefined, { hyps, refs: [refs] });
      return;
    }
    if (argv.hyp === undefined || (argv.ref ?? []).length === 0) throw new UsageError('eval bleu: give --hyp FILE and --ref FILE (or --model DIR --split test to translate with a seq2seq model)');
    evalBleu(argv);
  },
};

export default command;
