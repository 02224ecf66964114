// The model folder's name inside a seq2seq stage's output. Its own file so
// that commands can name it without loading TensorFlow.js (artifacts.ts does).

export const MODEL_DIR = 'model';
