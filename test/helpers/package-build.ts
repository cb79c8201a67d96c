// The deployable package's tests (test/e2e/package.test.ts): a scratch build as the Dockerfile's build
// stage makes it, packed with `npm pack`; a tiny Dockerfile and .dockerignore reader; a server started as
// its own process from any folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './process.js';

/** What `npm pack` adds to the build: README, LICENSE and package.json come whatever `files` says. */
const PACKED_EXTRAS = ['data', 'README.md', 'LICENSE', 'CHANGELOG.md'];

export interface Packed {
  /** The scratch checkout: the Dockerfile's build context, built by its build stage's commands. */
  repo: string;
  tarball: string;
  /** Paths inside the tarball, relative to its `package/` folder. */
  files: string[];
}

function run(command: string, cwd: string): string {
  const out = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8', timeout: 180_000 });
  if (out.status !== 0) throw new Error(`${command} failed (${out.status}):\n${out.stdout}\n${out.stderr}`);
  return out.stdout;
}

/**
 * Does what the Dockerfile's build stage does, in `dir`/repo: copies what its COPY lines copy from the
 * context, links node_modules in place of its `npm ci` (no registry here) and runs its `npm run` commands
 * (`npm prune` is left out: it would prune the checkout's own node_modules). Then `npm pack` (without its
 * prepack, which would only build again) from the same build with the files the package adds.
 */
export function buildAndPack(dir: string, dockerfile: string): Packed {
  const { instructions } = readDockerfile(dockerfile);
  const stage = instructions.filter((i) => i.stage === 0);
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'));
  for (const { op, args } of stage) {
    if (op === 'COPY') {
      for (const source of args.split(' ').slice(0, -1)) cpSync(join(ROOT, source), join(repo, source), { recursive: true });
    } else if (op === 'RUN' && args.startsWith('npm run ')) run(args, repo);
  }
  for (const entry of PACKED_EXTRAS) cpSync(join(ROOT, entry), join(repo, entry), { recursive: true });
  const stdout = run(`npm pack --json --ignore-scripts --pack-destination '${dir}'`, repo);
  const packed = (JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>)[0]!;
  return { repo, tarball: join(dir, packed.filename), files: packed.files.map((f) => f.path) };
}

export interface Instruction {
  stage: number;
  op: string;
  args: string;
}

/** The Dockerfile's instructions (continuations joined, comments dropped), each with its stage's index. */
export function readDockerfile(text: string): { stages: string[]; instructions: Instruction[] } {
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages: string[] = [];
  const instructions: Instruction[] = [];
  for (const line of logical) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') stages.push(args);
    instructions.push({ stage: stages.length - 1, op: op.toUpperCase(), args: args.replace(/\s+/g, ' ') });
  }
  return { stages, instructions };
}

/** Whether .dockerignore's patterns (in order, the last match wins, `!` re-includes) leave `path` out. */
export function dockerIgnores(patterns: string, path: string): boolean {
  let ignored = false;
  for (const raw of patterns.split('\n').map((l) => l.trim())) {
    if (raw === '' || raw.startsWith('#')) continue;
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const regex = pattern
      .split(/(\*\*\/|\*\*|\*|\?)/)
      .map((part) => ({ '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' })[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
      .join('');
    // A pattern that names a folder leaves out everything under it.
    if (new RegExp(`^${regex}(?:/.*)?$`).test(path)) ignored = !negated;
  }
  return ignored;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Served {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Runs `command` in `cwd` (a clean environment plus `env`) and waits for the gateway's banner. */
export async function serveFrom(command: readonly string[], cwd: string, env: Record<string, string>): Promise<Served> {
  const child = spawn(command[0]!, command.slice(1), {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? cwd, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const url = /tollgate listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
    if (url) {
      const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      };
      return { child, url, output: () => out, stop };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${command.join(' ')} did not come up in ${cwd}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
