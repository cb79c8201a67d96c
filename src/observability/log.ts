import pino, { type Logger } from 'pino';
import { redactUrl } from '../lib/redact-url.js';

export type { Logger } from 'pino';

/** Every place a secret could appear in a log line; pino replaces them before serialising. */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-goog-api-key"]',
  'query.key',
  'key',
  'apiKey',
  'adminToken',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url ? redactUrl(req.url) : req.url,
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination ?? bufferedStdout(),
  );
}

/** How long a log line may wait in the buffer on a quiet server. */
const FLUSH_EVERY_MS = 1000;

/**
 * Stdout, written 8 KiB at a time (or every second): the access log writes a line per request, and a
 * write per line costs a system call each (measured in `npm run bench` at LOG_LEVEL=info). pino flushes
 * what is buffered when the process exits.
 */
function bufferedStdout(): pino.DestinationStream {
  const destination = pino.destination({ sync: false, minLength: 8 * 1024 });
  const timer = setInterval(() => destination.flush(NO_CALLBACK), FLUSH_EVERY_MS);
  timer.unref();
  return destination;
}

const NO_CALLBACK = (): void => undefined;
