// The subword stage's pool tasks: each file's default export runs in a worker
// thread (or on a remote worker), and receives the task object it is sent.

export const TASKS = {
  encode: new URL('./encode.task.js', import.meta.url).href,
  types: new URL('./types.task.js', import.meta.url).href,
  encodeLines: new URL('./encode-lines.task.js', import.meta.url).href,
};
