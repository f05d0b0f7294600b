/**
 * `sealane verify` (`npm run verify`): rebuilds the L2 transaction sequence from L1 data alone
 * and compares it, block by block, with the L2 engine. With `--derive` it re-executes instead:
 * a fresh engine from the genesis L1 published, every batch checked by the derivation rules,
 * no sequencer engine needed. 0 when everything matches, 1 otherwise, 2 when the deployment's
 * L1, Inbox or L2 engine is not configured. `--json` prints the report as one JSON object.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '@sealane/config';
import { deriveChain, formatReplicaReport } from '@sealane/derive';
import { decodeGenesis } from '@sealane/engine';
import { formatVerifyReport, verifyChain } from '@sealane/poster';
import { parseFlags, toJson, withUsage } from './args';

export const VERIFY_USAGE = `usage: sealane verify [--derive] [--json]
  compares the L2 transaction sequence rebuilt from L1 data with the L2 engine, block by block
  --derive   re-execute instead: a fresh engine from the genesis on L1, every derivation rule checked
  --json     the report as one JSON object (for machines)
exit: 0 everything matches, 1 a mismatch, 2 usage or L1_RPC_URL / INBOX_ADDRESS / L2_RPC_URL not set`;

export function verify(argv: string[] = []): Promise<number> {
  return withUsage('verify', VERIFY_USAGE, () => {
    const flags = parseFlags(argv, { booleans: ['derive', 'json'] });
    return run(flags.on.has('derive'), flags.on.has('json'));
  });
}

async function run(derive: boolean, json: boolean): Promise<number> {
  const config = loadConfig();
  const print = (report: object, lines: string[]) =>
    json ? console.log(toJson(report)) : lines.forEach((l) => console.log(l));
  const needed = derive
    ? (['L1_RPC_URL', 'INBOX_ADDRESS'] as const)
    : (['L1_RPC_URL', 'INBOX_ADDRESS', 'L2_RPC_URL'] as const);
  const missing = needed.filter((k) => !config[k]);
  if (missing.length) {
    console.error(
      `verify needs ${missing.join(', ')} (the running deployment's L1, Inbox${derive ? '' : ' and L2 engine'})`,
    );
    return 2;
  }
  if (derive) {
    const report = await deriveChain({
      l1RpcUrl: config.L1_RPC_URL!,
      inboxAddress: config.INBOX_ADDRESS!,
      fromBlock: config.POSTER_LOG_FROM_BLOCK,
      ...(config.GENESIS_FILE ? { genesis: decodeGenesis(readFileSync(config.GENESIS_FILE)) } : {}),
      maxLogBytes: config.EMBEDDED_LOG_MAX_BYTES,
      ...(config.REPLICA_SEQUENCER_URL ? { sequencerUrl: config.REPLICA_SEQUENCER_URL } : {}),
    });
    print(report, formatReplicaReport(report));
    return report.ok ? 0 : 1;
  }
  const report = await verifyChain({
    l1RpcUrl: config.L1_RPC_URL!,
    inboxAddress: config.INBOX_ADDRESS!,
    l2RpcUrl: config.L2_RPC_URL!,
    fromBlock: config.POSTER_LOG_FROM_BLOCK,
  });
  print(report, formatVerifyReport(report));
  return report.ok ? 0 : 1;
}
