// After --tokens-from subword, `sample` and `eval ppl` use the token folder
// the model was built on (issue 14): prompts are encoded into pieces with its
// tokenizer.json, and the test split scored is the subword one.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { cliPath, tmpDir } from '../../testkit/tmp.js';
import { writeCorpus } from '../../testkit/corpus.js';
import { lexflow } from '../../testkit/cli.js';


t.test('sample and eval ppl on a model of a subword run', async (t) => {
  const dir = tmpDir(t);
  const corpus = writeCorpus(path.join(dir, 'corpus'), 4, 20_000, 8);
  const out = path.join(dir, 'run');
  const r = lexflow(['run', '--dataset', corpus, '--out', out, '--threads', '1', '--to', 'lm-ngram', '--tokens-from', 'subword', '--subword.vocab-size', '500', '--ngrams.order', '2', '--lm-ngram.model', 'kneser-ney', '--quiet']);
  t.equal(r.code, 0, r.stderr);

  // An invented word is not in the word vocabulary, but its pieces are in the subword one.
  const word = 'zürichcafé';
  const s = lexflow(['sample', '--model', path.join(out, 'lm-ngram'), '--prompt', `the ${word}`, '--max-tokens', '3']);
  t.equal(s.code, 0, s.stderr);
  t.match(s.stdout, new RegExp(`^-?[0-9.]+\\tthe ${word}( |\\n)`), 'the prompt went in as pieces and comes back as the same words, not <unk>');

  const p = lexflow(['eval', 'ppl', '--model', path.join(out, 'lm-ngram')]);
  t.equal(p.code, 0, p.stderr);
  // Scored tokens: every piece of the subword test split plus one </s> per sentence, counted here from the shards.
  let expected = 0;
  for (const f of fs.readdirSync(path.join(out, 'subword', 'tokens')).filter((n) => n.startsWith('test-'))) {
    const rows = lexflow(['inspect', path.join(out, 'subword', 'tokens', f), '--format', 'json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { ids: (number | string)[] });
    // inspect shows 12 items of a long list, then "… N more".
    for (const { ids } of rows) expected += (typeof ids.at(-1) === 'string' ? ids.length - 1 + Number(/\d+/.exec(ids.at(-1) as string)![0]) : ids.length) + 1;
  }
  t.ok(expected > 0);
  t.match(p.stdout, new RegExp(`Tokens:\\t${expected}\\n`), `scored the subword test split (${expected} tokens)`);
});
