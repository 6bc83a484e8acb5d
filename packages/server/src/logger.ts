import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Levels: error = someone lost something; warn = degraded; info = lifecycle; debug = per message.
 * Subsystems take a child logger: `logger.child({ sub: 'sfu' })`.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}
