export { evalAnalogy as default } from './commands.js';
