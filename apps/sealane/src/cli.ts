/**
 * `sealane <command>`: dispatches to the commands, one file each under ./commands
 * (verify, replica, gov, audit); each returns the process's exit code.
 */
import { ConfigError } from '@sealane/config';
import { audit } from './commands/audit';
import { gov } from './commands/gov';
import { replica } from './commands/replica';
import { verify } from './commands/verify';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { verify, replica, gov, audit };

async function main(): Promise<void> {
  const [cmd] = process.argv.slice(2);
  const run = cmd ? COMMANDS[cmd] : undefined;
  if (!run) {
    console.error(`usage: sealane <${Object.keys(COMMANDS).join('|')}>`);
    process.exit(2);
  }
  process.exit(await run(process.argv.slice(3)));
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? `sealane: ${e.message}` : e);
  process.exit(1);
});
