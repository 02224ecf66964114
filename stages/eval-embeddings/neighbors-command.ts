export { neighborsCommand as default } from './commands.js';
