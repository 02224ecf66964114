// Dialog datasets (kind `dialog`): conversations, each a list of turns.
//
//   --dataset chatterbot=FOLDER   the ChatterBot corpus: FOLDER/<language>/*.yml, each a YAML
//                                 mapping whose `conversations:` is a list of lists of turns
//   --dataset dialog=PATH         a .jsonl file (or a folder of .jsonl / .yml files); one
//                                 conversation per line: {"turns": ["hi", "hello", ...]}
//
// `readConversations` turns the files into conversations and says what it had to
// repair: a conversation that is not a list of strings is skipped, a conversation
// seen before (ChatterBot's tech_support.yml repeats 10 of them ~100 times) is
// dropped, multi-line turns are kept. Each becomes one warning naming the file.

import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { InputError, UsageError } from '../pipeline/errors.js';
import { compareIds, walkFiles } from './glob.js';
import { idUniform } from './split.js';
import type { SourceFile } from './source.js';

/** `NAME=` prefixes that make a dataset spec a dialog dataset. */
export const DIALOG_NAMES = /^(chatterbot|dialog|dialogue)$/i;

export interface Conversation {
  /** `<file id>#<index in the file>`: stable, for the index's `id` column. */
  readonly id: string;
  readonly turns: readonly string[];
}

export interface DialogListing {
  files: SourceFile[];
}

const DIALOG_FILE = /\.(ya?ml|jsonl)$/i;

function dialogFile(id: string, abs: string): SourceFile {
  return { id, path: abs, format: /\.jsonl$/i.test(id) ? 'dialog-jsonl' : 'dialog-yaml', gzip: false, bytes: fs.statSync(abs).size };
}

/** The files of `chatterbot=FOLDER` or `dialog=PATH`. ChatterBot's `derived/` copies are left out: they repeat the YAML. */
export function listDialog(name: string, target: string): DialogListing {
  const spec = `${name}=${target}`;
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (!st) throw new InputError(target, 'no such file or folder', `Check the path in --dataset ${spec}`);
  let files: SourceFile[];
  if (st.isFile()) files = [dialogFile(path.basename(target), path.resolve(target))];
  else {
    const chatterbot = /^chatterbot$/i.test(name);
    const ids = walkFiles(target)
      .filter((f) => DIALOG_FILE.test(f))
      .filter((f) => !(chatterbot && (f.startsWith('derived/') || /\.jsonl$/i.test(f))))
      .sort(compareIds);
    if (ids.length === 0)
      throw new InputError(target, `holds no ${chatterbot ? 'ChatterBot .yml files' : '.jsonl or .yml conversation files'}`, 'Point --dataset at the corpus folder (the one holding english/, italian/, ...)');
    files = ids.map((id) => dialogFile(id, path.join(target, id)));
  }
  return { files };
}

/** The language folders of a dataset's files (`english/ai.yml` -> english). */
export function languagesOf(files: readonly SourceFile[]): string[] {
  return [...new Set(files.filter((f) => f.id.includes('/')).map((f) => f.id.split('/')[0]!))].sort(compareIds);
}

/**
 * The files of one language: those under `<language>/`. A dataset without
 * folders (one .jsonl file) has no languages and is read whole.
 */
export function filesOfLanguage(files: readonly SourceFile[], language: string): SourceFile[] {
  const langs = languagesOf(files);
  if (langs.length === 0) return [...files];
  const own = files.filter((f) => f.id.startsWith(`${language}/`));
  if (own.length === 0) throw new UsageError(`--language ${language}: the dataset has no ${language}/ folder; it has ${langs.join(', ')}`);
  return own;
}

export interface ReadResult {
  conversations: Conversation[];
  /** What was skipped, dropped or kept as it was, one line per file and defect. */
  warnings: string[];
}

/** Trim ASCII and Unicode spaces (ChatterBot has `Ethiopia\u00a0`). */
function cleanTurn(s: string): string {
  return s.replace(/^[\s\u00a0\u200b\ufeff]+|[\s\u00a0\u200b\ufeff]+$/g, '');
}

/** Turns of one raw conversation, or a reason it is not one. */
function turnsOf(raw: unknown): string[] | string {
  if (!Array.isArray(raw)) return typeof raw === 'string' ? `is the string ${JSON.stringify(raw.slice(0, 60))}, not a list of turns (a "- " missing before a turn?)` : 'is not a list of turns';
  const turns: string[] = [];
  for (const t of raw) {
    if (typeof t !== 'string' && typeof t !== 'number') return 'has a turn that is not text';
    turns.push(cleanTurn(String(t)));
  }
  return turns;
}

function rawConversationsYaml(file: SourceFile, text: string): unknown[] {
  // failsafe: every scalar is a string ('1984', yes, 3.14 stay text), as ChatterBot's loader reads them.
  const doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new InputError(file.path, `is not valid YAML${line ? ` (line ${line})` : ''}: ${e.message.split('\n')[0]}`, 'Fix the YAML, or leave the file out of the dataset');
  }
  const root = doc.toJS() as unknown;
  const convs = root && typeof root === 'object' && !Array.isArray(root) ? (root as Record<string, unknown>).conversations : undefined;
  if (!Array.isArray(convs)) throw new InputError(file.path, 'has no `conversations:` list', 'A ChatterBot file is a YAML mapping with `conversations:`, a list of lists of turns');
  return convs;
}

function rawConversationsJsonl(file: SourceFile, text: string, warnings: string[]): unknown[] {
  const out: unknown[] = [];
  const bad: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      bad.push(i + 1);
      continue;
    }
    const turns = rec && typeof rec === 'object' && !Array.isArray(rec) ? (rec as Record<string, unknown>).turns : Array.isArray(rec) ? rec : undefined;
    if (turns === undefined) bad.push(i + 1);
    else out.push(turns);
  }
  if (bad.length) warnings.push(`${file.id}: skipped ${bad.length} line(s) that are not {"turns": [...]} JSON (line ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', ...' : ''})`);
  return out;
}

/** Read, clean and dedupe the conversations of `files`, in file order. */
export function readConversations(files: readonly SourceFile[]): ReadResult {
  const conversations: Conversation[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file.path, 'utf8');
    } catch {
      throw new InputError(file.path, 'cannot be read', 'Check the --dataset path and its permissions');
    }
    const raws = file.format === 'dialog-jsonl' ? rawConversationsJsonl(file, text, warnings) : rawConversationsYaml(file, text);
    const malformed: string[] = [];
    let short = 0;
    let repeated = 0;
    let multiline = 0;
    let kept = 0;
    raws.forEach((raw, i) => {
      const turns = turnsOf(raw);
      if (typeof turns === 'string') {
        malformed.push(`conversation ${i + 1} ${turns}`);
        return;
      }
      const nonEmpty = turns.filter((t) => t !== '');
      if (nonEmpty.length < 2) {
        short++;
        return;
      }
      const key = nonEmpty.join('\u0000');
      if (seen.has(key)) {
        repeated++;
        return;
      }
      seen.add(key);
      if (nonEmpty.some((t) => t.includes('\n'))) multiline++;
      conversations.push({ id: `${file.id}#${i}`, turns: nonEmpty });
      kept++;
    });
    for (const m of malformed) warnings.push(`${file.id}: ${m}: skipped`);
    if (short) warnings.push(`${file.id}: ${short} conversation(s) with fewer than two turns: skipped`);
    if (repeated) warnings.push(`${file.id}: ${repeated} repeated conversation(s) dropped, ${kept} distinct kept`);
    if (multiline) warnings.push(`${file.id}: ${multiline} conversation(s) have multi-line turns: kept as they are`);
  }
  return { conversations, warnings };
}

/** Held out when the hash of the conversation's turns falls below `fraction`: moves with content, not file order. */
export function isHeldOut(c: Conversation, fraction: number): boolean {
  return idUniform(c.turns.join('\u0000')) < fraction;
}
