/**
 * `npm run verify`: rebuilds the L2 transaction sequence from L1 data alone and compares it,
 * block by block, with the L2 engine. Exits 0 when everything matches, 1 otherwise.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '@sealane/config';
import { govCli } from '@sealane/governance';
import { formatVerifyReport, verifyChain } from '@sealane/poster';
import { SealaneClient } from '@sealane/sdk';
import { auditCli } from './audit';

async function verify(): Promise<number> {
  const config = loadConfig();
  const missing = (['L1_RPC_URL', 'INBOX_ADDRESS', 'L2_RPC_URL'] as const).filter((k) => !config[k]);
  if (missing.length) {
    console.error(`verify needs ${missing.join(', ')} (the running deployment's L1, Inbox and L2 engine)`);
    return 2;
  }
  const report = await verifyChain({
    l1RpcUrl: config.L1_RPC_URL!,
    inboxAddress: config.INBOX_ADDRESS!,
    l2RpcUrl: config.L2_RPC_URL!,
    fromBlock: config.POSTER_LOG_FROM_BLOCK,
  });
  for (const line of formatVerifyReport(report)) console.log(line);
  return report.ok ? 0 : 1;
}

/** `sealane gov ...`: governance proposals through a gateway (default: this deployment's). */
async function gov(): Promise<number> {
  const config = loadConfig();
  return govCli(
    process.argv.slice(3),
    {
      out: (l) => console.log(l),
      err: (l) => console.error(l),
      readFile: (p) => readFileSync(p, 'utf8'),
      writeFile: (p, t) => writeFileSync(p, t),
    },
    { defaultUrl: `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}` },
  );
}

/** `sealane audit --gateway URL --receipts FILE [--slot N]`: checks sealed slots against receipts. */
async function audit(): Promise<number> {
  return auditCli(process.argv.slice(3), {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    readFile: (p) => readFileSync(p, 'utf8'),
    rpc: (url, method, params) => new SealaneClient(url).rpc(method, params),
    defaultGateway: () => {
      const config = loadConfig();
      return `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}`;
    },
  });
}

const COMMANDS: Record<string, () => Promise<number>> = { verify, gov, audit };

async function main(): Promise<void> {
  const [cmd] = process.argv.slice(2);
  const run = cmd ? COMMANDS[cmd] : undefined;
  if (!run) {
    console.error(`usage: sealane <${Object.keys(COMMANDS).join('|')}>`);
    process.exit(2);
  }
  process.exit(await run());
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? `sealane: ${e.message}` : e);
  process.exit(1);
});
