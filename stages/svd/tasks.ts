// The svd stage's pool tasks: each file's default export runs in a worker
// thread (or on a remote worker), and receives the task object it is sent.

export const TASKS = {
  kernel: new URL('./kernel.task.js', import.meta.url).href,
};
