// `npm start`: builds the server only when its sources changed since the last build, and the dashboard
// (web/, with Vite) only when its sources changed since its own last build, then runs the server in this
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
const WEB = join(ROOT, 'web');
const WEB_STAMP = join(ROOT, 'dist', '.built-web');
const WEB_INPUTS = [WEB, join(ROOT, 'package.json')];

/** The newest modification time under `path` (a file or a folder of sources). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted or renamed file changes its folder
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** Whether `outputs` are missing or any of `inputs` changed after `stamp` was written. */
function isStale(stamp, inputs, outputs) {
  if (!existsSync(stamp) || outputs.some((output) => !existsSync(output))) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((input) => existsSync(input) && newest(input) > built);
}

function run(what, args, stamp) {
  process.stderr.write(`tollgate: building the ${what} (the sources changed since the last build)…\n`);
  const startedAt = Date.now();
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: ROOT });
  if (result.status !== 0) {
    process.stderr.write(`tollgate: the ${what} build failed; see the errors above.\n`);
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, '');
  // Stamped at the build's start: a source saved during the build makes the next start build again.
  const at = new Date(startedAt);
  utimesSync(stamp, at, at);
}

function buildServer() {
  run('server', [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], STAMP);
}

function buildWeb() {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    // An install without devDependencies: serve the dashboard as last built (or the "not built" page).
    process.stderr.write('tollgate: web/ changed but Vite is not installed (npm install without --omit=dev builds the dashboard).\n');
    return;
  }
  run('dashboard', [vite, 'build', '--config', join(WEB, 'vite.config.ts'), '--logLevel', 'warn'], WEB_STAMP);
}

if (isStale(STAMP, INPUTS, [join(ROOT, 'dist', 'src', 'main.js')])) buildServer();
if (existsSync(WEB) && isStale(WEB_STAMP, WEB_INPUTS, [join(ROOT, 'dist', 'web', 'index.html')])) buildWeb();
const { serve } = await import(pathToFileURL(join(ROOT, 'dist', 'src', 'main.js')).href);
await serve();
