// Sentence splitting: terminators, closing quotes, abbreviations, initials,
// lowercase continuations, paragraphs, and line mode.

import t from 'tap';
import { tokenizeText } from '../stages/tokenize/text.js';

const sents = (text: string, sentences: 'punct' | 'line' = 'punct'): string[] => tokenizeText(text, { sentences }).map((s) => s.join(' '));

t.test('punct mode', async (t) => {
  t.same(sents('One. Two! Three? Four'), ['One .', 'Two !', 'Three ?', 'Four']);
  t.same(sents('Dr. Who met Mr. Smith. Then J. R. R. Tolkien wrote.'), ['Dr . Who met Mr . Smith .', 'Then J . R . R . Tolkien wrote .']);
  t.same(sents('"Help!" he cried. "Why?" She left.'), ['" Help ! " he cried .', '" Why ? "', 'She left .']);
  t.same(sents('Really?! Yes... nope. (Fine.) Ok'), ['Really ? !', 'Yes ... nope .', '( Fine . )', 'Ok']);
  t.same(sents('See No. 5 and fig. 2.'), ['See No . 5 and fig . 2 .'], 'abbreviations, also case-insensitive');
  t.same(sents('He lives in the U.S. He works.'), ['He lives in the U.S. He works .'], 'dotted abbreviations never end a sentence');
  t.same(sents('A line\nwrapped here. Next\n\nHeading\n\nBody text.'), ['A line wrapped here .', 'Next', 'Heading', 'Body text .'], 'a blank line ends a sentence, a line break does not');
  t.same(sents('你好。我很好！谢谢？'), ['你 好 。', '我 很 好 ！', '谢 谢 ？']);
  t.same(sents('यह है। वह है॥ क्या?'), ['यह है ।', 'वह है ॥', 'क्या ?']);
  t.same(sents('هل أنت بخير؟ نعم.'), ['هل أنت بخير ؟', 'نعم .']);
  t.same(sents('  \n\n '), [], 'no tokens, no sentence');
});

t.test('line mode: every line break ends a sentence', async (t) => {
  t.same(sents('one. two\nthree\n\n\nfour', 'line'), ['one . two', 'three', 'four']);
  t.same(sents('a\r\nb\rc', 'line'), ['a', 'b', 'c'], 'CRLF and CR');
});
