import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { tuneConnection } from './sqlite-connection.js';
import type { WriterAnswer, WriterData, WriterRequest } from './sqlite-writer-thread.js';
import { prepareWriteJobs } from './write-jobs.js';

/** The SQLite writer thread (started by sqlite-writer-thread.ts): its own connection, one job at a time, one answer each. */
const { file, fault } = workerData as WriterData;
const port = parentPort!;
const db = new SQLite(file);
tuneConnection(db, true);
const run = prepareWriteJobs(db);
let jobs = 0;

port.on('message', (request: WriterRequest) => {
  if ('close' in request) {
    db.close();
    process.exit(0);
  }
  const first = ++jobs === 1;
  if (first && fault === 'exit-before-commit') process.exit(1);
  let answer: WriterAnswer = { id: request.id };
  try {
    run(request.job);
  } catch (err) {
    const { message, code } = err as { message?: unknown; code?: unknown };
    answer = { id: request.id, error: { message: String(message ?? err), ...(typeof code === 'string' ? { code } : {}) } };
  }
  if (first && fault === 'exit-after-commit') process.exit(1);
  port.postMessage(answer);
});
