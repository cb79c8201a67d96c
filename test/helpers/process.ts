import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const TSX = import.meta.resolve('tsx');

export interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<number | string | null>;
}

/** Starts `src/main.ts` as its own process, as `npm start` would, and waits for its banner. */
export async function startProcess(env: Record<string, string>, cwd: string): Promise<Running> {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/main.ts')], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
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
  return { child, url, stdout: () => out, exited };
}
