import pino, { DestinationStream, LevelWithSilent, Logger } from 'pino';
import { currentLogContext } from './context';
import { REDACT_PATHS, REDACTED, scrub, scrubText, serializeError } from './redaction';

export interface LoggingOptions {
  /** `api`, `worker`…: the `service` field of every line. */
  service: string;
  /** LOG_LEVEL; `info` by default. */
  level?: LevelWithSilent;
  /** Where the JSON lines go: standard output by default (tests pass a stream of their own). */
  destination?: DestinationStream;
}

export type { Logger };

/** Until a process entry point configures logging (main.ts), nothing is written. */
let root: Logger = pino({ level: 'silent' });

/**
 * A pino logger writing one JSON object per line: ISO time, level name, service, the request or
 * job context (requestId, correlationId, queue, jobName, jobId), the fields given, and the
 * message. Secrets and personal contact data are redacted from every field at any depth and
 * from the message (see redaction.ts).
 */
export function createLogger(options: LoggingOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: serializeErrorField, error: serializeErrorField },
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => scrub(fields) as Record<string, unknown>,
      },
      mixin: () => ({ ...currentLogContext() }),
      hooks: {
        logMethod(args, method) {
          // An error given alone: pino would take its raw message as the line's message.
          if (args[0] instanceof Error) {
            const [error, message, ...rest] = args as unknown[];
            const text = typeof message === 'string' ? message : (error as Error).message;
            return method.apply(this, [{ err: error }, scrubText(text), ...rest] as never);
          }
          const cleaned = (args as unknown[]).map((arg) =>
            typeof arg === 'string' ? scrubText(arg) : arg,
          );
          return method.apply(this, cleaned as never);
        },
      },
    },
    options.destination ?? standardOutput(),
  );
}

/**
 * Standard output (or `fd`), written in batches: lines wait in memory until 4 KB have gathered
 * or for at most 100 ms, instead of one write system call per line (each email cost the worker
 * two, about a tenth of its CPU per email; bench, issue 7). pino writes what is left
 * synchronously when the process exits, crash included; only a SIGKILL can lose the last 100 ms.
 */
export function standardOutput(fd = 1): DestinationStream {
  return pino.destination({ dest: fd, sync: false, minLength: 4096, periodicFlush: 100 });
}

function serializeErrorField(value: unknown): unknown {
  return value instanceof Error ? serializeError(value) : value;
}

/** Sets the process's logger (called once by each entry point, or by a test). */
export function configureLogging(options: LoggingOptions): Logger {
  root = createLogger(options);
  return root;
}

/** The process's logger; silent until configureLogging is called. */
export function getLogger(): Logger {
  return root;
}
