// What `lexflow serve` may call on a stage's model: a stage declares its boxes
// in `defineStage({ serve: [...] })` (docs/ARCHITECTURE.md, "The stage contract"),
// as it declares `commands` and `languageModel`, so the server never names a
// stage. A box is a form (its fields) and a call that answers with a table or
// text; a bad request is a UsageError, which the server answers with a 400.

export interface ServeField {
  name: string;
  type: 'text' | 'number';
  default?: string | number;
  choices?: string[];
  /** The page empties it after each answer (a chat message). */
  clear?: boolean;
}

export interface ServeAnswer {
  rows?: Record<string, string | number>[];
  text?: string;
}

export interface ServeCall {
  /** The stage's finished folder in the run being served (`out/<run>/<stage>`). */
  readonly dir: string;
  /** The folder's fingerprint: a model cached by it is reloaded after a rerun. */
  readonly fingerprint: string;
  /** The form's values as the page sent them (check every one). */
  readonly args: Record<string, unknown>;
  /** One browser page (a tab): state such as a chat's turns is kept per session. */
  readonly session: string;
}

export interface ServeEndpoint {
  /** The box's name, and its URL: POST /api/call/NAME. */
  readonly name: string;
  readonly describe: string;
  /** The form fields for this stage folder, or null when the folder has nothing to call. Called on every page load: keep it cheap (no model loading). */
  fields(dir: string): ServeField[] | null;
  /** Load what it needs lazily (once per fingerprint), never when the server starts. */
  call(c: ServeCall): Promise<ServeAnswer>;
}
