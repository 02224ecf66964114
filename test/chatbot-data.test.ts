// Dialog datasets: the ChatterBot YAML reader on the vendored subset (its known
// defects: a malformed trivia conversation, tech_support's repeats, coding's
// multi-line answers), JSONL conversations, languages, and the held-out split.
// Counts were taken from the files by hand (and agree with PyYAML's BaseLoader).

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { filesOfLanguage, isHeldOut, listDialog, readConversations } from '../datasets/dialog.js';
import { resolveDataset } from '../datasets/index.js';
import { isUsageError } from '../pipeline/errors.js';
import { tmpDir } from '../testkit/tmp.js';

const FIXTURE = path.resolve(new URL('.', import.meta.url).pathname, '../../test/fixtures/chatterbot');

t.test('chatterbot=FOLDER is a dialog dataset of its .yml files', async (t) => {
  const ds = resolveDataset(`chatterbot=${FIXTURE}`, { textField: 'text' });
  t.equal(ds.kind, 'dialog');
  const ids = (await ds.files()).map((f) => f.id);
  t.same(ids, ['english/ai.yml', 'english/coding.yml', 'english/conversations.yml', 'english/greetings.yml', 'english/tech_support.yml', 'english/trivia.yml']);
  t.ok((await ds.fingerprint()).length > 10);
});

t.test('defects: the malformed conversation is skipped, repeats dropped, multi-line turns kept; each said', async (t) => {
  const { files } = listDialog('chatterbot', FIXTURE);
  const { conversations, warnings } = readConversations(filesOfLanguage(files, 'english'));
  // ai 105 + coding 2 + conversations 23 + greetings 25 + tech_support 9 distinct of 18 + trivia 15 of 16.
  t.equal(conversations.length, 179);
  t.same(warnings, [
    'english/coding.yml: 2 conversation(s) have multi-line turns: kept as they are',
    'english/tech_support.yml: 9 repeated conversation(s) dropped, 9 distinct kept',
    'english/trivia.yml: conversation 14 is the string "In a game of bingo, which number is represented by the phras", not a list of turns (a "- " missing before a turn?): skipped',
  ]);
  const coding = conversations.find((c) => c.id === 'english/coding.yml#0')!;
  t.match(coding.turns[1], /^Sure\. Here's quicksort in Python:\n\n```\ndef quicksort/, 'the YAML block scalar, newlines kept');
  t.equal(conversations.find((c) => c.id === 'english/trivia.yml#1')!.turns[1], '1963', "'1963' stays text");
  t.ok(conversations.every((c) => c.turns.length >= 2 && c.turns.every((x) => x === x.trim() && x !== '')));
});

t.test('languages: --language picks a folder; a missing one is named with those there are', async (t) => {
  const { files } = listDialog('chatterbot', FIXTURE);
  const err = (() => {
    try {
      filesOfLanguage(files, 'klingon');
    } catch (e) {
      return e;
    }
  })();
  t.ok(isUsageError(err));
  t.match((err as Error).message, /no klingon\/ folder; it has english/);
});

t.test('JSONL {"turns": [...]}: bad lines and one-turn conversations are skipped and counted', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'mine.jsonl');
  fs.writeFileSync(file, ['{"turns": ["hi", "hello", "how are you?"]}', 'not json', '{"turns": ["alone"]}', '{"text": "no turns"}', '{"turns": [" hi ", "hello", "how are you?"]}', '{"turns": ["bye", "see you"]}', ''].join('\n'));
  const ds = resolveDataset(`dialog=${file}`, { textField: 'text' });
  t.equal(ds.kind, 'dialog');
  const { conversations, warnings } = readConversations(await ds.files());
  t.same(conversations.map((c) => c.turns), [['hi', 'hello', 'how are you?'], ['bye', 'see you']]);
  t.same(warnings, [
    'mine.jsonl: skipped 2 line(s) that are not {"turns": [...]} JSON (line 2, 4)',
    'mine.jsonl: 1 conversation(s) with fewer than two turns: skipped',
    'mine.jsonl: 1 repeated conversation(s) dropped, 2 distinct kept',
  ]);
});

t.test('held-out by a hash of the turns: the same conversation goes the same way wherever it is', async (t) => {
  const a = { id: 'x.yml#0', turns: ['What is AI?', 'A science.'] };
  const b = { id: 'y.yml#7', turns: ['What is AI?', 'A science.'] };
  t.equal(isHeldOut(a, 0.2), isHeldOut(b, 0.2));
  const { files } = listDialog('chatterbot', FIXTURE);
  const convs = readConversations(files).conversations;
  const share = convs.filter((c) => isHeldOut(c, 0.2)).length / convs.length;
  t.ok(share > 0.1 && share < 0.3, `held out ${share.toFixed(2)} of 179 at 0.2`);
  t.equal(convs.filter((c) => isHeldOut(c, 0)).length, 0);
});

t.test('the whole English corpus from $LEXFLOW_DATA', async (t) => {
  const data = process.env.LEXFLOW_DATA;
  const dir = data && path.join(data, 'dialog', 'chatterbot-corpus');
  if (!dir || !fs.existsSync(dir)) {
    t.comment('LEXFLOW_DATA/dialog/chatterbot-corpus not found: skipped');
    return;
  }
  const { files } = listDialog('chatterbot', dir);
  const { conversations, warnings } = readConversations(filesOfLanguage(files, 'english'));
  // 2,025 well-formed conversations; tech_support's 1,050 hold 10 distinct, coding's 184 hold 98, money repeats one.
  t.equal(conversations.length, 898);
  t.ok(warnings.some((w) => /tech_support\.yml: 1040 repeated/.test(w)));
  t.ok(warnings.some((w) => /trivia\.yml: conversation 14 /.test(w)));
  t.equal(readConversations(filesOfLanguage(files, 'hebrew')).conversations.length > 40, true);
});
