// One factory for the three architectures.

import { createLstmLM } from './lstm.js';
import type { ModelConfig, NeuralLM } from './model.js';
import { createTransformerLM } from './transformer.js';
import { createWindowLM } from './window.js';

export function createModel(cfg: ModelConfig): NeuralLM {
  switch (cfg.arch) {
    case 'window':
      return createWindowLM(cfg);
    case 'lstm':
      return createLstmLM(cfg);
    case 'transformer':
      return createTransformerLM(cfg);
  }
}
