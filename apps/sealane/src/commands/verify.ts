/**
 * `sealane verify` (`npm run verify`): rebuilds the L2 transaction sequence from L1 data alone
 * and compares it, block by block, with the L2 engine. With `--derive` it re-executes instead:
 * a fresh engine from the genesis L1 published, every batch checked by the derivation rules,
 * no sequencer engine needed. 0 when everything matches, 1 otherwise, 2 when the deployment's
 * L1, Inbox or L2 engine is not configured.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '@sealane/config';
import { deriveChain, formatReplicaReport } from '@sealane/derive';
import { decodeGenesis } from '@sealane/engine';
import { formatVerifyReport, verifyChain } from '@sealane/poster';

export async function verify(argv: string[] = []): Promise<number> {
  const config = loadConfig();
  const derive = argv.includes('--derive');
  const unknown = argv.filter((a) => a !== '--derive');
  if (unknown.length) {
    console.error(`verify: unknown argument ${unknown[0]} (usage: sealane verify [--derive])`);
    return 2;
  }
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
    for (const line of formatReplicaReport(report)) console.log(line);
    return report.ok ? 0 : 1;
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
