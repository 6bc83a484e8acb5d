/** Chime's log levels, lowest first; a logger prints messages at its level and above. */
export const LogLevel = {
  DEBUG: 0,
  INFO: 1,
  WARN: 2,
  ERROR: 3,
  OFF: 4,
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** The logger interface the meeting session writes to (Chime's `Logger`). */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(debugFunction: string | (() => string)): void;
  setLogLevel(level: LogLevel): void;
  getLogLevel(): LogLevel;
}

/** Writes to the browser console with a timestamp and the logger's name. */
export class ConsoleLogger implements Logger {
  readonly name: string;
  level: LogLevel;

  constructor(name: string, level: LogLevel = LogLevel.WARN) {
    this.name = name;
    this.level = level;
  }

  info(msg: string): void {
    this.#log(LogLevel.INFO, msg);
  }

  warn(msg: string): void {
    this.#log(LogLevel.WARN, msg);
  }

  error(msg: string): void {
    this.#log(LogLevel.ERROR, msg);
  }

  /** Takes a function too, so costly debug strings are only built when they will print. */
  debug(debugFunction: string | (() => string)): void {
    if (this.level > LogLevel.DEBUG) return;
    this.#log(LogLevel.DEBUG, typeof debugFunction === 'function' ? debugFunction() : debugFunction);
  }

  setLogLevel(level: LogLevel): void {
    this.level = level;
  }

  getLogLevel(): LogLevel {
    return this.level;
  }

  #log(level: LogLevel, msg: string): void {
    if (level < this.level) return;
    const line = `${new Date().toISOString()} [${LEVEL_NAMES[level]}] ${this.name} - ${msg}`;
    if (level >= LogLevel.ERROR) console.error(line);
    else if (level === LogLevel.WARN) console.warn(line);
    else if (level === LogLevel.INFO) console.info(line);
    else console.debug(line);
  }
}

const LEVEL_NAMES = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'OFF'] as const;
