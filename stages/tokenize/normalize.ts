// The normalizer: Unicode normalization (NFC by default, NFKC, or none) and
// optional lowercasing. Normalization runs on the whole text before
// pre-tokenization; lowercasing runs after sentence splitting (which needs
// the original case), on the token strings.

export type NormalForm = 'nfc' | 'nfkc' | 'none';

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
// Every character below U+0300 has NFC_Quick_Check=Yes (combining marks and
// the first singletons start at U+0300), so such text is NFC already.
// eslint-disable-next-line no-control-regex
const MAYBE_NOT_NFC = /[^\x00-\u02ff]/;

/** `text` in normal form `form`; text that is in it already (checked cheaply) is returned as is. */
export function normalizeText(text: string, form: NormalForm): string {
  if (form === 'none') return text;
  if (form === 'nfc') return MAYBE_NOT_NFC.test(text) ? text.normalize('NFC') : text;
  return NON_ASCII.test(text) ? text.normalize('NFKC') : text;
}

/**
 * The lowercased text when lowercasing keeps every index in place (nearly
 * always), so tokens can be sliced from it at the spans found in the original;
 * `undefined` when it does not (e.g. `İ` becomes two code units), and then
 * each token is lowercased on its own.
 */
export function lowercaseInPlace(text: string): string | undefined {
  const lower = text.toLowerCase();
  return lower.length === text.length ? lower : undefined;
}
