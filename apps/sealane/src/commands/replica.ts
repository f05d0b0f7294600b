/**
 * `sealane replica` (`npm run replica`): a follower node built from L1 alone. It starts its own
 * engine from the genesis the Inbox published, re-executes every batch, checks every rule of
 * the derivation (README, "Derivation"), follows L1 as it grows and serves read-only JSON-RPC
 * at REPLICA_HOST:REPLICA_PORT. At the first divergence it prints the block and why and exits 1;
 * 2 when L1 or the Inbox is not configured; 0 after a clean stop (SIGINT, SIGTERM).
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '@sealane/config';
import { formatReplicaReport, Replica, serveReadRpc, type ReplicaReport } from '@sealane/derive';
import { decodeGenesis, L2Engine } from '@sealane/engine';
import { parseFlags, withUsage } from './args';

export const REPLICA_USAGE = `usage: sealane replica
  a follower built from L1 alone: re-executes every batch, checks the derivation rules, follows L1
  and serves read-only JSON-RPC at REPLICA_HOST:REPLICA_PORT (settings from the environment)
exit: 0 after a clean stop (SIGINT, SIGTERM), 1 at the first divergence, 2 usage or L1 / Inbox not set`;

export function replica(argv: string[] = []): Promise<number> {
  return withUsage('replica', REPLICA_USAGE, () => {
    parseFlags(argv, {});
    return follow();
  });
}

async function follow(): Promise<number> {
  const config = loadConfig();
  const missing = (['L1_RPC_URL', 'INBOX_ADDRESS'] as const).filter((k) => !config[k]);
  if (missing.length) {
    console.error(
      `replica needs ${missing.join(', ')} (the L1 node and the Inbox it derives the chain from)`,
    );
    return 2;
  }
  const r = await Replica.start({
    l1RpcUrl: config.L1_RPC_URL!,
    inboxAddress: config.INBOX_ADDRESS!,
    fromBlock: config.POSTER_LOG_FROM_BLOCK,
    ...(config.GENESIS_FILE ? { genesis: decodeGenesis(readFileSync(config.GENESIS_FILE)) } : {}),
    ...(config.DATA_DIR ? { dataDir: config.DATA_DIR } : {}),
    ...(config.REPLICA_SEQUENCER_URL ? { sequencerUrl: config.REPLICA_SEQUENCER_URL } : {}),
    maxLogBytes: config.EMBEDDED_LOG_MAX_BYTES,
    onBatch: (b, rep) =>
      console.log(
        `batch ${b.seq}: blocks ${b.firstBlock}..${b.lastBlock} re-executed, hashes and state roots match (head ${rep.head})`,
      ),
  });
  const engine = new L2Engine(r.engineUrl);
  let last: ReplicaReport = r.report();
  const server = await serveReadRpc(engine, {
    host: config.REPLICA_HOST,
    port: config.REPLICA_PORT,
    maxBatch: config.RPC_MAX_BATCH,
    status: () => last,
  });
  console.log(`replica: JSON-RPC (read-only) at ${server.url}, following ${config.INBOX_ADDRESS} on L1`);
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`${sig}: stopping`);
      resolve();
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  });
  let code = 0;
  try {
    while (!stopping) {
      last = await r.step();
      if (!last.ok) {
        for (const line of formatReplicaReport(last)) console.error(line);
        code = 1;
        break;
      }
      await Promise.race([stopped, new Promise((res) => setTimeout(res, config.REPLICA_POLL_MS))]);
    }
  } finally {
    await server.stop();
    await engine.close();
    await r.stop();
  }
  if (code === 0) for (const line of formatReplicaReport(last)) console.log(line);
  return code;
}
