import type { LoggerService } from '@nestjs/common';
import { getLogger } from './logger';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's logger (every `new Logger(Context)` in the code, and Nest's own start-up lines) written
 * through pino as JSON lines, with the context as a field. Pass it to NestFactory (`logger:`).
 */
export class PinoNestLogger implements LoggerService {
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, true);
  }

  /**
   * Nest's conventions: the last string parameter is the context; for errors the string before
   * it is a stack trace. A message may be a string, an Error or an object of fields.
   */
  private write(level: Level, message: unknown, params: unknown[], isError = false): void {
    const logger = getLogger();
    if (!logger.isLevelEnabled(level)) return;
    const rest = [...params];
    while (rest.length > 0 && rest[rest.length - 1] === undefined) rest.pop();
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') {
      fields.context = rest.pop();
    }
    if (isError && typeof rest[0] === 'string') fields.stack = rest.shift();
    if (rest.length > 0) fields.details = rest.length === 1 ? rest[0] : rest;
    let text: string | undefined;
    message = parsedJsonObject(message);
    if (message instanceof Error) {
      fields.err = message;
      text = message.message;
    } else if (message !== null && typeof message === 'object') {
      const { msg, message: inner, ...others } = message as Record<string, unknown>;
      Object.assign(fields, others);
      text = typeof msg === 'string' ? msg : typeof inner === 'string' ? inner : undefined;
    } else {
      text = String(message);
    }
    logger[level](fields, text);
  }
}

/** A message that is a JSON object (`JSON.stringify({ msg, ...fields })`) becomes its fields. */
function parsedJsonObject(message: unknown): unknown {
  if (typeof message !== 'string' || !message.startsWith('{"') || !message.endsWith('}')) {
    return message;
  }
  try {
    const parsed: unknown = JSON.parse(message);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? parsed
      : message;
  } catch {
    return message;
  }
}
