// The generative chatbot's default recipe on the English ChatterBot corpus
// ($LEXFLOW_DATA; skipped without it), checked without training (an epoch
// costs 12 s on a quiet machine). What it pins: with 4000-token batches the
// 859 training pairs made 9 Adam steps per pass, and 35 passes (322 steps)
// left the model at its unigram stage; the default batch must give the
// optimizer tens of steps per pass. And the reply vocabulary must leave the
// training words seen once out, so that <unk> is trained (with every word in,
// the model never saw <unk> and the held-out reply tokens outside its
// vocabulary, 14% of them, got almost no probability).

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { filesOfLanguage, isHeldOut, listDialog, readConversations } from '../datasets/dialog.js';
import { pairsOf } from '../lib/chat/evaluate.js';
import { buildChatVocabs, pairIds } from '../lib/chat/generative-data.js';
import { BucketBatches } from '../lib/seq2seq/data.js';
import { UNK } from '../lib/formats/tokens.js';
import { tokenize } from '../lib/seq2seq/pieces.js';
import { isGenerativeValidation } from '../stages/chatbot/generative-split.js';
import chatbot from '../stages/chatbot/index.js';

const data = process.env.LEXFLOW_DATA;
const dir = data && path.join(data, 'dialog', 'chatterbot-corpus');
if (!dir || !fs.existsSync(dir)) t.comment('LEXFLOW_DATA/dialog/chatterbot-corpus not found: skipped');
else
  t.test('the default recipe on the English corpus: tens of Adam steps per pass, and a trained <unk>', async (t) => {
    const d = (name: keyof typeof chatbot.params): number => chatbot.params[name].default as number;
    const { conversations } = readConversations(filesOfLanguage(listDialog('chatterbot', dir).files, 'english'));
    const train = conversations.filter((c) => !isHeldOut(c, d('held-out')));
    const genTrain = pairsOf(train.filter((c) => !isGenerativeValidation(c, d('gen-valid'))));
    const genValid = pairsOf(train.filter((c) => isGenerativeValidation(c, d('gen-valid'))));
    t.ok(genValid.length > 40 && genValid.length < 130, `${genValid.length} validation pairs`);
    const shape = { turns: d('turns'), maxSource: d('max-len') };
    const v = buildChatVocabs(genTrain, shape, d('gen-max-vocab'), d('gen-min-count'));
    const { data: ids } = pairIds(genTrain, v, shape, d('max-len'));
    const steps = new BucketBatches(ids, d('gen-batch-tokens'), 256, 1).steps;
    t.ok(steps >= 30, `${steps} batches per pass over ${ids.src.length} pairs`);
    t.ok(new BucketBatches(ids, 4000, 256, 1).steps <= 10, 'where 4000-token batches made at most 10');
    // The reference: reply tokens seen once in the training replies, counted here.
    const counts = new Map<string, number>();
    for (const p of genTrain) for (const w of tokenize(p.reply)) counts.set(w, (counts.get(w) ?? 0) + 1);
    let once = 0;
    let unk = 0;
    let all = 0;
    for (const p of genTrain) {
      const toks = tokenize(p.reply);
      if (toks.length === 0 || toks.length > d('max-len')) continue;
      for (const w of toks) once += counts.get(w) === 1 ? 1 : 0;
    }
    for (const y of ids.tgt) for (const id of y) (all++, (unk += id === UNK ? 1 : 0));
    t.equal(unk, once, `the ${unk} <unk>s of the training replies are their tokens seen once`);
    t.ok(unk / all > 0.05, `${((100 * unk) / all).toFixed(1)}% of the training reply tokens train <unk>`);
  });
