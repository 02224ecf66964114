// The normalizer: Unicode normalization (NFC by default, NFKC, or none) and
// optional lowercasing. Normalization runs on the whole text before
// pre-tokenization; lowercasing runs after sentence splitting (which needs
// the original case), on the token strings.

export type NormalForm = 'nfc' | 'nfkc' | 'none';

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** `text` in normal form `form`. ASCII text is in every normal form already, so it is returned as is. */
export function normalizeText(text: string, form: NormalForm): string {
  if (form === 'none' || !NON_ASCII.test(text)) return text;
  return text.normalize(form === 'nfc' ? 'NFC' : 'NFKC');
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
