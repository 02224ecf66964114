// The ngrams stage's pool tasks: each file's default export runs in a worker
// thread (or on a remote worker), and receives the task object it is sent.

export const TASKS = {
  count: new URL('./count.task.js', import.meta.url).href,
  derive: new URL('./derive.task.js', import.meta.url).href,
};
