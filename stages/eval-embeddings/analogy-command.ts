export { analogyCommand as default } from './commands.js';
