// The chatbot stage's pool tasks: each file's default export runs in a worker
// thread, and receives the task object it is sent.

export const TASKS = {
  rank: new URL('./rank.task.js', import.meta.url).href,
};
