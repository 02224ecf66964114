export { reportCommand as default } from './commands.js';
