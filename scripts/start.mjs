// `npm start`: builds the server only when its sources changed since the last build, then runs it in this
// very process. package.json runs it with `exec`, so the signals a supervisor sends `npm start` (SIGTERM
// from Docker, systemd or a closed terminal) reach the gateway itself and it drains and exits, instead of
// npm dying and leaving the gateway running, orphaned, on its port.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(ROOT, 'dist', '.built');
const INPUTS = [join(ROOT, 'src'), join(ROOT, 'tsconfig.json'), join(ROOT, 'package.json')];

/** The newest modification time under `path` (a file or a folder of sources). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted or renamed file changes its folder
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function isStale() {
  if (!existsSync(STAMP) || !existsSync(join(ROOT, 'dist', 'src', 'main.js'))) return true;
  const built = statSync(STAMP).mtimeMs;
  return INPUTS.some((input) => existsSync(input) && newest(input) > built);
}

function build() {
  process.stderr.write('tollgate: building (the sources changed since the last build)…\n');
  const startedAt = Date.now();
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('tollgate: the build failed; see the errors above.\n');
    process.exit(result.status ?? 1);
  }
  writeFileSync(STAMP, '');
  // Stamped at the build's start: a source saved during the build makes the next start build again.
  const at = new Date(startedAt);
  utimesSync(STAMP, at, at);
}

if (isStale()) build();
const { serve } = await import(pathToFileURL(join(ROOT, 'dist', 'src', 'main.js')).href);
await serve();
