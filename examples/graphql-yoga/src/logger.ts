import { createLogger, type LogLevel, type YogaLogger } from 'graphql-yoga';
import { clientErrorLine } from './errors.js';

/** What yoga's `logging` option takes: on, off, a level, or a logger of your own. */
export type Logging = boolean | LogLevel | YogaLogger;

/**
 * Yoga's logger, with the client's own mistakes on one line. Yoga logs every error its mask
 * rewrites, stack and all, and an invalid id or a token CDF refused is such a rewrite: those
 * become one `info` line with their code, path and message. Every other error keeps its stack.
 */
export function createServerLogger(logging: Logging): YogaLogger {
  const logger = typeof logging === 'object' ? logging : createLogger(logging === true ? undefined : logging === false ? 'silent' : logging);
  return {
    debug: (...args) => logger.debug(...args),
    info: (...args) => logger.info(...args),
    warn: (...args) => logger.warn(...args),
    error: (...args) => {
      const line = args.length === 1 ? clientErrorLine(args[0]) : undefined;
      if (line === undefined) logger.error(...args);
      else logger.info(line);
    },
  };
}
