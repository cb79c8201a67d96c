import { Worker } from 'node:worker_threads';
import type { SqliteWriter } from './sqlite-writer.js';
import type { WriteJob } from './write-jobs.js';

/** Tests only: the first writer thread ends on its first job, before running it or after it committed (without answering). */
export type WriterFault = 'exit-before-commit' | 'exit-after-commit';

/** What the writer thread receives: a job to run, or the order to close its connection and end. */
export type WriterRequest = { id: number; job: WriteJob } | { close: true };
/** What it answers, once per job: nothing more when the job committed, else the store's error. */
export interface WriterAnswer {
  id: number;
  error?: { message: string; code?: string };
}
export interface WriterData {
  file: string;
  fault?: WriterFault;
}

/** A job is sent to at most this many threads in a row that died before answering it; then it is refused. */
const MAX_DEATHS = 3;

interface Sent {
  id: number;
  job: WriteJob;
  deaths: number;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * The writer of a database file: a worker thread (sqlite-writer-worker.ts) with its own connection runs
 * the jobs in the order sent, one transaction each, and answers each. The thread starts with the first
 * job; a thread that ends with jobs unanswered (a crash, an exit) is replaced and those jobs are sent to
 * the new one, in order (every job is idempotent, so one that had committed changes nothing the second
 * time). While jobs are under way the thread keeps the process alive; an idle one does not.
 */
export class WorkerWriter implements SqliteWriter {
  private worker: Worker | undefined;
  private readonly unconfirmed = new Map<number, Sent>();
  private nextId = 1;
  private starts = 0;
  private closing: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly file: string,
    private readonly options: { fault?: WriterFault } = {},
  ) {}

  /** How many threads were started: more than one means one died and was replaced. */
  get threadsStarted(): number {
    return this.starts;
  }

  run(job: WriteJob): Promise<void> {
    if (this.closing) return Promise.reject(new Error('the SQLite writer is closed'));
    return new Promise<void>((resolve, reject) => {
      const sent: Sent = { id: this.nextId++, job, deaths: 0, resolve, reject };
      this.unconfirmed.set(sent.id, sent);
      this.post(sent);
    });
  }

  close(): Promise<void> {
    return (this.closing ??= this.drainAndStop());
  }

  private async drainAndStop(): Promise<void> {
    while (this.unconfirmed.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.ref(); // until it has closed its connection
      worker.postMessage({ close: true } satisfies WriterRequest);
    });
  }

  private post(sent: Sent): void {
    const worker = this.worker ?? this.start();
    worker.ref();
    worker.postMessage({ id: sent.id, job: sent.job } satisfies WriterRequest);
  }

  private start(): Worker {
    const entry = workerEntry();
    const workerData: WriterData = { file: this.file, ...(this.starts === 0 && this.options.fault ? { fault: this.options.fault } : {}) };
    // A small young generation: the thread's garbage is a batch at a time, and the default semi-spaces cost ~10 MiB of RSS.
    const worker = new Worker(entry.source, { eval: entry.eval, workerData, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    this.starts++;
    worker.on('message', (answer: WriterAnswer) => this.answered(answer));
    worker.on('error', () => undefined); // an uncaught error ends the thread: 'exit' sends its jobs again
    worker.on('exit', () => this.exited(worker));
    this.worker = worker;
    return worker;
  }

  private answered(answer: WriterAnswer): void {
    const sent = this.unconfirmed.get(answer.id);
    if (!sent) return;
    this.unconfirmed.delete(answer.id);
    if (answer.error) sent.reject(Object.assign(new Error(answer.error.message), answer.error.code ? { code: answer.error.code } : {}));
    else sent.resolve();
    this.whenIdle();
  }

  private exited(worker: Worker): void {
    if (this.worker !== worker) return; // closed on purpose
    this.worker = undefined;
    for (const sent of [...this.unconfirmed.values()]) {
      if (++sent.deaths < MAX_DEATHS) continue;
      this.unconfirmed.delete(sent.id);
      sent.reject(new WriterDied(sent.deaths));
    }
    for (const sent of this.unconfirmed.values()) this.post(sent);
    this.whenIdle();
  }

  private whenIdle(): void {
    if (this.unconfirmed.size > 0) return;
    this.worker?.unref();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** Writer threads kept dying on one job (it is refused; the billing store retries its batch later). */
export class WriterDied extends Error {
  readonly code = 'TG_STORE_WRITER_DIED';
  constructor(deaths: number) {
    super(`the SQLite writer thread ended ${deaths} times before answering`);
  }
}

/**
 * The worker's entry: the compiled .js beside this file (dist/, `npm start`), or under tsx (the tests run
 * `node --import tsx`) the .ts, loaded after registering tsx in the thread: Node 20 does not run --import
 * hooks in worker threads.
 */
function workerEntry(): { source: string | URL; eval: boolean } {
  const underTsx = import.meta.url.endsWith('.ts');
  const file = new URL(`./sqlite-writer-worker.${underTsx ? 'ts' : 'js'}`, import.meta.url);
  if (!underTsx) return { source: file, eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  return { source: `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(file.href)}); });`, eval: true };
}
