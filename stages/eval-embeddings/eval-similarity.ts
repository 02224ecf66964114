export { evalSimilarity as default } from './commands.js';
