// The generative bot's validation conversations: a few training conversations
// set apart (by a hash of their turns, as --held-out sets its own apart) whose
// pairs the training loop scores after each epoch, for early stopping and to
// keep the best epoch's weights. The held-out conversations stay for the
// evaluation only. The hash is salted, so the validation set does not depend
// on --held-out: a conversation set apart stays apart when --held-out changes.

import { idUniform } from '../../datasets/split.js';
import type { Conversation } from '../../datasets/dialog.js';

export function isGenerativeValidation(c: Pick<Conversation, 'turns'>, fraction: number): boolean {
  return idUniform(`generative-validation\u0000${c.turns.join('\u0000')}`) < fraction;
}
