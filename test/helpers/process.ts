import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const TSX = import.meta.resolve('tsx');

export interface Running {
  child: ChildProcess;
  url: string;
  /** Standard output and error together, in the order they came. */
  stdout: () => string;
  /** Standard error alone. */
  stderr: () => string;
  exited: Promise<number | string | null>;
}

export interface ProcessOptions {
  /** A command the gateway runs under, e.g. `['prlimit', '--fsize=0:unlimited']`. */
  wrap?: readonly string[];
  /** Run as this user and group (the test runs as root; root ignores file modes). */
  uid?: number;
  gid?: number;
}

/** Starts `src/main.ts` as its own process, as `npm start` would. */
function spawnGateway(env: Record<string, string>, cwd: string, options: ProcessOptions): ChildProcess {
  const command = [...(options.wrap ?? []), process.execPath, '--import', TSX, join(ROOT, 'src/main.ts')];
  return spawn(command[0]!, command.slice(1), {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  });
}

/** Starts the gateway as its own process and waits for its banner. */
export async function startProcess(env: Record<string, string>, cwd: string, options: ProcessOptions = {}): Promise<Running> {
  const child = spawnGateway(env, cwd, options);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in 15 s:\n${out}`)), 15_000);
    const check = () => {
      const match = /tollgate listening on (http:\/\/[\d.:]+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => reject(new Error(`exited before listening:\n${out}`)));
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

/** Runs the gateway until it exits on its own (a start that must fail); its exit code and output. */
export async function runToExit(env: Record<string, string>, cwd: string, options: ProcessOptions = {}): Promise<{ code: number | null; output: string }> {
  const child = spawnGateway(env, cwd, options);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}
