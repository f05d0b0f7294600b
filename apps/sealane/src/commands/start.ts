/**
 * `sealane start`: the whole sequencer in this process, exactly as `npm start` runs it (main.ts:
 * settings from the environment, embedded devnet defaults, a clean stop on SIGINT / SIGTERM).
 */
import { parseFlags, withUsage } from './args';

export const START_USAGE = `usage: sealane start
  runs the sequencer as \`npm start\` does: every setting from the environment (README, "Settings");
  prints where Redis, L2, L1 and the gateway are; SIGINT or SIGTERM stops it in order (exit 0)`;

export function start(argv: string[]): Promise<number> {
  return withUsage('start', START_USAGE, async () => {
    parseFlags(argv, {});
    // main.ts starts on import and owns the process from then on (its signals, its exit code).
    await import('../main');
    return new Promise<number>(() => undefined);
  });
}
