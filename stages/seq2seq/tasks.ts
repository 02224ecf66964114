// The seq2seq stage's pool tasks: each file's default export runs in a worker
// thread (or on a remote worker), and receives the task object it is sent.

export const TASKS = {
  grad: new URL('./grad.task.js', import.meta.url).href,
};
