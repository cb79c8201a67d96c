// Child-process helpers for the benchmark: spawn/fork, wait for readiness, kill on exit,
// free ports (/proc sampling is in proc.ts).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import ts from 'typescript';

interface Tracked {
  child: ChildProcess;
  label: string;
}

const tracked = new Set<Tracked>();
const tmpDirs = new Set<string>();
let shuttingDown = false;

function track(child: ChildProcess, label: string, expectExit = false): ChildProcess {
  const entry: Tracked = { child, label };
  tracked.add(entry);
  child.once('exit', (code, signal) => {
    tracked.delete(entry);
    if (!shuttingDown && !expectExit) console.error(`[bench] ${label} (pid ${child.pid}) exited unexpectedly (code ${code}, signal ${signal})`);
  });
  return child;
}

export function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function killAll(signal: NodeJS.Signals): void {
  for (const { child } of tracked) if (isAlive(child)) child.kill(signal);
}

function removeTmpDirs(): void {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
  tmpDirs.clear();
}

/** SIGTERM every child, SIGKILL what is still alive after graceMs, remove temp dirs. */
export async function stopAll(graceMs = 2000): Promise<void> {
  shuttingDown = true;
  const pending = [...tracked]
    .filter(({ child }) => isAlive(child))
    .map(({ child }) => new Promise<void>((r) => child.once('exit', () => r())));
  killAll('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  killAll('SIGKILL');
  removeTmpDirs();
}

export function installExitHandlers(): void {
  process.on('exit', () => {
    shuttingDown = true;
    killAll('SIGKILL');
    removeTmpDirs();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`\n[bench] ${sig}: stopping child processes`);
      void stopAll(1000).finally(() => process.exit(130));
    });
  }
}

export function makeTmpDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.add(dir);
  return dir;
}

let jsDir: string | undefined;
/** Transpile a self-contained .ts file to .mjs in a temp dir whose node_modules links to the project's. */
function transpile(tsFile: string, nodeModules: string): string {
  if (!jsDir) {
    jsDir = makeTmpDir('tollgate-bench-js-');
    symlinkSync(nodeModules, join(jsDir, 'node_modules'), 'dir');
  }
  const out = ts.transpileModule(readFileSync(tsFile, 'utf8'), {
    fileName: tsFile,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const jsFile = join(jsDir, basename(tsFile).replace(/\.ts$/, '.mjs'));
  writeFileSync(jsFile, out.outputText);
  return jsFile;
}

export interface Started {
  child: ChildProcess;
  pid: number;
  port: number;
}

/** Run a bench helper script (plain node, no tsx) and wait for its {type:'listening',port} IPC message. */
export async function startScript(
  tsFile: string,
  label: string,
  env: Record<string, string>,
  nodeModules: string,
  timeoutMs = 15_000,
): Promise<Started> {
  const child = track(
    fork(transpile(tsFile, nodeModules), [], {
      execArgv: [], // do not inherit `--import tsx` from the orchestrator
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
    label,
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not report a port within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (msg: unknown) => {
      const m = msg as { type?: unknown; port?: unknown } | null;
      if (m?.type === 'listening' && typeof m.port === 'number') {
        clearTimeout(timer);
        resolve(m.port);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited during startup (code ${code}, signal ${signal})`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  return { child, pid: child.pid ?? -1, port };
}

/** Spawn a long-running process, relaying its output line by line with a `[label]` prefix. */
export function spawnService(
  label: string,
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string> },
): ChildProcess {
  const child = track(
    spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] }),
    label,
  );
  const relay = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream): void => {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        out.write(`[${label}] ${line}\n`);
      }
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  return child;
}

/** Run a command to completion with inherited stdio; rejects on non-zero exit. */
export function runCommand(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(cmd, args, { cwd, stdio: 'inherit' }), `${cmd} ${args.join(' ')}`, true);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`\`${cmd} ${args.join(' ')}\` failed (code ${code}, signal ${signal})`)),
    );
    child.once('error', reject);
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Poll an HTTP URL until it answers 200; fails early if `child` exits. */
export async function waitForHttp(url: string, child: ChildProcess, label: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive(child)) throw new Error(`${label} exited before ${url} answered 200`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${label}: ${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}
