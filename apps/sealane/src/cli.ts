#!/usr/bin/env node
/**
 * `sealane <command>` (the package's bin; `npx sealane` in the repository after a build):
 * dispatches to the commands, one file each under ./commands; each returns the process's exit
 * code. `--help` anywhere after a command prints its usage; an unknown command or option exits 2.
 */
import { ConfigError } from '@sealane/config';
import { GOV_USAGE } from '@sealane/governance';
import { audit, AUDIT_USAGE } from './commands/audit';
import { gov } from './commands/gov';
import { replica, REPLICA_USAGE } from './commands/replica';
import { start, START_USAGE } from './commands/start';
import { status, STATUS_USAGE } from './commands/status';
import { verify, VERIFY_USAGE } from './commands/verify';

interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  start: { summary: 'run the sequencer (as npm start does)', usage: START_USAGE, run: start },
  status: {
    summary: "a gateway's readiness, head, params, poster and keypers",
    usage: STATUS_USAGE,
    run: status,
  },
  verify: { summary: 'check the L2 chain against the batches on L1', usage: VERIFY_USAGE, run: verify },
  replica: { summary: 'a follower node built from L1 alone', usage: REPLICA_USAGE, run: replica },
  gov: { summary: 'governance: build, sign, submit and inspect proposals', usage: GOV_USAGE, run: gov },
  audit: { summary: "check sealed slots against a user's signed receipts", usage: AUDIT_USAGE, run: audit },
};

const USAGE = `usage: sealane <command> [options]   (sealane <command> --help for its options)
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)}${c.summary}`)
  .join('\n')}
most commands read the deployment's settings from the environment (README, "Settings");
--json (status, verify, audit, gov) prints JSON for machines instead of the human summary`;

const isHelp = (a: string) => a === '--help' || a === '-h';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) {
    console.error(USAGE);
    return 2;
  }
  if (isHelp(cmd) || cmd === 'help') {
    const about = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    console.log(about ? about.usage : USAGE);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!command) {
    console.error(
      `sealane: ${cmd.startsWith('-') ? `unknown option ${cmd}` : `unknown command "${cmd}"`} (commands: ${Object.keys(COMMANDS).join(', ')})`,
    );
    console.error('run sealane --help for usage');
    return 2;
  }
  if (rest.some(isHelp)) {
    console.log(command.usage);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof ConfigError ? `sealane: ${e.message}` : e);
    process.exit(1);
  },
);
