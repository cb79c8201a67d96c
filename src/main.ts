import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config/index.js';
import { PROVIDERS } from './providers/index.js';

/** Entry: load config → build app → listen; signals and graceful drain only. */
/** Runs the gateway; `env`: the environment to configure it from (the process's own by default). */
export async function serve(env?: Readonly<Record<string, string | undefined>>): Promise<void> {
  let config;
  try {
    config = loadConfig(PROVIDERS, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tollgate: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  const app = await buildApp(config);
  // Signals are handled before listening, so a SIGTERM that races the start-up still drains cleanly.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'draining');
    const drained = app.http.close();
    // Keep-alive connections whose last response just finished would otherwise hold the drain open.
    const sweeper = setInterval(() => app.http.server.closeIdleConnections(), 100);
    const timer = setTimeout(() => app.http.server.closeAllConnections(), config.drainTimeoutMs);
    await drained;
    clearInterval(sweeper);
    clearTimeout(timer);
    await app.close();
    app.logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  process.on('uncaughtException', (err) => app.logger.error({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => app.logger.error({ err }, 'unhandled rejection'));

  const address = await app.http.listen({ host: config.host, port: config.port });
  // A copy: Fastify writes into the options it is given, and the config is frozen.
  const metricsAt = config.metrics.listen && (await app.metricsHttp?.listen({ ...config.metrics.listen }));
  // Once, to stderr: stdout carries the JSON log lines a collector ships, and a secret does not belong there.
  if (app.generatedAdminToken) process.stderr.write(`\n  ADMIN TOKEN (shown once; store it now): ${app.generatedAdminToken}\n\n`);
  process.stdout.write(banner(address, config) + (metricsAt ? `  metrics:                 ${metricsAt}/metrics\n` : ''));
}

function banner(address: string, config: Config): string {
  const base = address.replace('0.0.0.0', '127.0.0.1');
  const configured = Object.entries(config.providers)
    .filter(([, p]) => p.apiKeys.length > 0)
    .map(([id]) => id);
  const lines = [
    `tollgate listening on ${address}`,
    `  OpenAI SDK base URL:     ${base}/openai/v1`,
    `  Anthropic SDK base URL:  ${base}/anthropic`,
    `  Google GenAI base URL:   ${base}/google`,
    `  admin API:               ${base}/admin`,
    `  providers with keys:     ${configured.length ? configured.join(', ') : 'none (set OPENAI_API_KEY, ANTHROPIC_API_KEY, …)'}`,
  ];
  return lines.join('\n') + '\n';
}

const invokedDirectly = import.meta.url === `file://${process.argv[1]}`;
if (invokedDirectly) {
  serve().catch((err: unknown) => {
    process.stderr.write(`tollgate: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
