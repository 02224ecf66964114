// Every stage, registered once. To add a stage: write stages/<name>/ and add
// one line here.

import { registerStage } from '../pipeline/registry.js';

export function registerAllStages(): void {
  // (stages register here, one line each)
  void registerStage;
}
