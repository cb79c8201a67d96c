// The dashboard's browser tests: Debian's Chromium driven by playwright-core, the real gateway in front of a
// scripted OpenAI upstream on 127.0.0.1, the built web app, and full-page screenshots for review.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startGateway, type TestGateway } from './gateway.js';
import { ROOT } from './process.js';
import { chatCompletion, startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const PHONE = { width: 390, height: 844 } as const;
const DESKTOP = { width: 1280, height: 800 } as const;
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const WEB_DIST = join(ROOT, 'dist', 'web');
const BUILD_STAMP = join(ROOT, 'dist', 'web-build.sha256');
const BUILD_LOCK = join(ROOT, 'dist', 'web-build.lock');
/** scripts/start.mjs's stamp of the dashboard build: kept current, so a later `npm start` does not rebuild dist/web under running tests. */
const START_WEB_STAMP = join(ROOT, 'dist', '.built-web');
const BUILD_TIMEOUT_MS = 240_000;

/** One headless Chromium for a test file; refuses clearly when the browser is not installed. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install chromium: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 30_000,
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--disable-extensions', '--mute-audio'],
  });
}

// ---- the built web app: built at most once per change of its sources, whichever test file gets there first ----

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

/** A hash of everything the web build reads: web/ (with its vite config), the lockfile and the API's contract types. */
function webSourcesHash(): string {
  const files = [
    ...listFiles(join(ROOT, 'web')),
    ...listFiles(join(ROOT, 'src', 'http', 'contracts')),
    ...['vite.config.ts', 'package-lock.json'].map((name) => join(ROOT, name)).filter((path) => existsSync(path)),
  ].sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

function builtHash(): string | undefined {
  if (!existsSync(join(WEB_DIST, 'index.html')) || !existsSync(BUILD_STAMP)) return undefined;
  return readFileSync(BUILD_STAMP, 'utf8').trim();
}

/** The package's web build script (`build:web` when it has one), else Vite straight. */
function buildCommand(): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  if (scripts['build:web']) return ['npm', 'run', '--silent', 'build:web'];
  return [process.execPath, join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ROOT, 'web', 'vite.config.ts')];
}

function runBuild(): Promise<void> {
  const [command, ...args] = buildCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`the web build (${[command, ...args].join(' ')}) failed (${code ?? signal}):\n${output.slice(-4000)}`));
    });
  });
}

/** Takes the build lock (a directory: mkdir is atomic), waiting while another test file holds it. */
async function takeBuildLock(): Promise<void> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A lock older than any build can take was left by a killed run.
    const held = statSync(BUILD_LOCK, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs > BUILD_TIMEOUT_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`waited ${BUILD_TIMEOUT_MS / 1000} s for the web build lock ${BUILD_LOCK}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Makes sure dist/web is the build of the current web sources; builds (once, under a lock) when it is not. */
export async function ensureDashboardBuilt(): Promise<void> {
  const wanted = webSourcesHash();
  if (builtHash() === wanted) return;
  await takeBuildLock();
  try {
    if (builtHash() === wanted) return; // another test file built it while this one waited
    process.stderr.write('browser tests: building the dashboard (dist/web is older than web/)\n');
    const startedAt = new Date();
    await runBuild();
    if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`the web build finished without ${WEB_DIST}/index.html`);
    writeFileSync(BUILD_STAMP, `${wanted}\n`);
    // As start.mjs stamps it: at the build's start, so a source saved during the build still counts as newer.
    writeFileSync(START_WEB_STAMP, '');
    utimesSync(START_WEB_STAMP, startedAt, startedAt);
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

// ---- the gateway and its upstream ----

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface DashboardStack {
  gw: TestGateway;
  upstream: ScriptedUpstream;
  /** What the upstream reports for the next chat completions. */
  usage: Usage;
  close(): Promise<void>;
}

/** The real gateway (with the built dashboard) in front of an OpenAI upstream that answers every chat with `usage`. */
export async function startDashboardStack(env: Record<string, string> = {}, options: { usdRubRate?: string } = {}): Promise<DashboardStack> {
  await ensureDashboardBuilt();
  const stack = { usage: { prompt_tokens: 10, completion_tokens: 10 } } as DashboardStack;
  stack.upstream = await startScriptedUpstream((req, res) => {
    const text = chatCompletion(String(req.json().model), stack.usage, 'Hello from the mock upstream.');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  stack.gw = await startGateway(
    { OPENAI_API_KEY: 'sk-browser-upstream-key', OPENAI_BASE_URL: stack.upstream.url, SESSION_COOKIE_SECURE: 'off', SIGNUP: 'open', ...env },
    undefined,
    options.usdRubRate === undefined ? {} : { usdRubRate: options.usdRubRate },
  );
  stack.close = async () => {
    await stack.gw.close();
    await stack.upstream.close();
  };
  return stack;
}

// ---- journeys: a browser context per journey, screenshots of every page ----

export interface Journey {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page PNG as test-results/screenshots/<journey>/<nn>-<name>.png (desktop width). */
  shot(name: string): Promise<void>;
  /** The same page at phone size (390×844), then back to the desktop width; what does not fit the width is a problem. */
  phoneShot(name: string): Promise<void>;
  /** Uncaught page errors and requests the page tried to send anywhere but the gateway. */
  problems: string[];
  /**
   * Runs the journey's steps, then requires no problems; on a failure saves the page as `failure.png` and names
   * the page's address in the error. Closes the context either way.
   */
  run(steps: () => Promise<void>): Promise<void>;
}

/**
 * A fresh context (no cookies) in `locale`, that may talk to the gateway only. `inspect` looks at each page
 * before its screenshot and returns what is wrong with it (e.g. text left untranslated).
 */
export async function openJourney(
  browser: Browser,
  name: string,
  locale: 'ru-RU' | 'en-US',
  baseURL: string,
  inspect: (page: Page) => Promise<string[]> = async () => [],
): Promise<Journey> {
  const dir = join(SCREENSHOTS, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const context = await browser.newContext({ locale, baseURL, viewport: DESKTOP, timezoneId: 'Europe/Moscow', colorScheme: 'light' });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const problems: string[] = [];
  const origin = new URL(baseURL).origin;
  await context.route(
    (url) => url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:',
    async (route) => {
      problems.push(`request outside the gateway: ${route.request().url()}`);
      await route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  let count = 0;
  const path = (shotName: string) => join(dir, `${String(++count).padStart(2, '0')}-${shotName}.png`);
  return {
    context,
    page,
    problems,
    shot: async (shotName) => {
      const file = path(shotName);
      for (const problem of await inspect(page)) problems.push(`${basename(file)}: ${problem}`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
    },
    phoneShot: async (shotName) => {
      await page.setViewportSize(PHONE);
      try {
        const file = path(`${shotName}-phone`);
        for (const problem of await overflowAt(page)) problems.push(`${basename(file)}: ${problem}`);
        await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      } finally {
        await page.setViewportSize(DESKTOP);
      }
    },
    run: async (steps) => {
      try {
        await steps();
      } catch (error) {
        await page.screenshot({ path: join(dir, 'failure.png'), fullPage: true }).catch(() => undefined);
        if (error instanceof Error) {
          error.message += `\n(at ${page.url()}; the page as it was: ${join(dir, 'failure.png')})`;
          if (problems.length > 0) error.message += `\nthe pages' problems before that:\n${problems.join('\n')}`;
        }
        throw error;
      } finally {
        await context.close();
      }
      if (problems.length > 0) throw new Error(`the journey passed, but its pages had problems (see test-results/screenshots/${name}):\n${problems.join('\n')}`);
    },
  };
}

/**
 * What does not fit a phone's width: the page scrolling sideways, or a box (other than code) whose content is
 * wider than the box, so that part of it is cut off or hidden behind a sideways scroll.
 */
async function overflowAt(page: Page): Promise<string[]> {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return page.evaluate(() => {
    const found: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) found.push(`the page is ${root.scrollWidth} px wide on a ${root.clientWidth} px screen`);
    for (const element of document.body.querySelectorAll<HTMLElement>('*')) {
      // Code and what is typed into a field scroll sideways on purpose; a 1 px box is one hidden for screen readers.
      if (element.closest('pre, code, input, textarea, select, [role="img"], .chart') || element.clientWidth <= 1 || element.scrollWidth <= element.clientWidth + 1) continue;
      const style = getComputedStyle(element);
      if (style.display === 'inline' || !['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) continue;
      // Text cut with an ellipsis on purpose is fine; a box hiding controls or numbers is not.
      if (style.textOverflow === 'ellipsis' && element.children.length === 0) continue;
      const name = element.getAttribute('data-testid') ?? `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`;
      found.push(`${name} holds ${element.scrollWidth} px in ${element.clientWidth} px at phone width`);
    }
    return found;
  });
}

/** A chat usage's price in micro-rubles, as the gateway rounds it: ceil(USD × rate × 10^6), USD from per-1M-token prices. */
export function chatCostMicro(usage: Usage, prices: { input: string; output: string }, rubPerUsd: string): number {
  // Exact decimal arithmetic in BigInt: every value scaled to 10^-6.
  const scaled = (decimal: string) => {
    const [whole = '0', fraction = ''] = decimal.split('.');
    return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
  };
  // Σ tokens × USD-per-1M = micro-USD × 10^6 in this scale; × rate (10^6 scale) → micro-RUB × 10^12.
  const microUsdScaled = BigInt(usage.prompt_tokens) * scaled(prices.input) + BigInt(usage.completion_tokens) * scaled(prices.output);
  const product = microUsdScaled * scaled(rubPerUsd);
  const unit = 1_000_000_000_000n;
  return Number((product + unit - 1n) / unit);
}
