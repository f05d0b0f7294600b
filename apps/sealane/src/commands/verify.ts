/**
 * `sealane verify` (`npm run verify`): rebuilds the L2 transaction sequence from L1 data alone
 * and compares it, block by block, with the L2 engine. 0 when everything matches, 1 otherwise,
 * 2 when the deployment's L1, Inbox or L2 engine is not configured.
 */
import { loadConfig } from '@sealane/config';
import { formatVerifyReport, verifyChain } from '@sealane/poster';

export async function verify(): Promise<number> {
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
