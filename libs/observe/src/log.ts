/**
 * Sealane's logger: Nest's ConsoleLogger with millisecond ISO timestamps, and with
 * LOG_FORMAT=json one JSON object a line (`time`, `level`, `pid`, `context`, `msg`, and for a
 * structured event its `event` name and fields), as log shippers expect. Code logs either a
 * string or a LogEvent (logEvent below); text output shows the event's `msg`.
 */
import { ConsoleLogger, type LogLevel } from '@nestjs/common';

export type LogFormat = 'text' | 'json';

/** A line that is also data: `event` names what happened (`auction.result`), `msg` says it. */
export interface LogEvent {
  event: string;
  msg: string;
  [field: string]: unknown;
}

export function logEvent(event: string, msg: string, fields: Record<string, unknown> = {}): LogEvent {
  return { ...fields, event, msg };
}

export function isLogEvent(m: unknown): m is LogEvent {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as LogEvent).event === 'string' &&
    typeof (m as LogEvent).msg === 'string'
  );
}

/** The levels at and above `level`, in Nest's order. */
export function levelsFrom(level: LogLevel): LogLevel[] {
  const all: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  return all.slice(0, all.indexOf(level) + 1);
}

/** bigint fields print as decimal strings (JSON has no bigint). */
const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

export class SealaneLogger extends ConsoleLogger {
  private readonly jsonLines: boolean;

  constructor(opts: { format?: LogFormat; levels: LogLevel[] }) {
    super({ logLevels: opts.levels, prefix: 'sealane', colors: false });
    this.jsonLines = opts.format === 'json';
  }

  protected override getTimestamp(): string {
    return new Date().toISOString();
  }

  /** Nest's "+3ms since the last line" suffix says less than the timestamps now do. */
  protected override updateAndGetTimestampDiff(): string {
    return '';
  }

  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    return super.stringifyMessage(isLogEvent(message) ? message.msg : message, logLevel) as string;
  }

  protected override printStackTrace(stack: string): void {
    // In JSON the stack is a field of its line.
    if (!this.jsonLines) super.printStackTrace(stack);
  }

  protected override printMessages(
    messages: unknown[],
    context = '',
    logLevel: LogLevel = 'log',
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    if (!this.jsonLines) return super.printMessages(messages, context, logLevel, writeStreamType, errorStack);
    const out = writeStreamType === 'stderr' ? process.stderr : process.stdout;
    for (const message of messages) {
      const base: Record<string, unknown> = {
        time: new Date().toISOString(),
        level: logLevel,
        pid: process.pid,
        ...(context ? { context } : {}),
      };
      const line: Record<string, unknown> = isLogEvent(message)
        ? { ...base, ...message }
        : { ...base, msg: typeof message === 'string' ? message : this.stringifyMessage(message, logLevel) };
      if (errorStack) line.stack = errorStack;
      out.write(JSON.stringify(line, replacer) + '\n');
    }
  }
}
