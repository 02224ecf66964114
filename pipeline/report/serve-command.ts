export { serveCommand as default } from './commands.js';
