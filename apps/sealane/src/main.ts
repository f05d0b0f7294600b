/** `npm start`: the whole sequencer in one process on the embedded defaults. */
import { ConfigError } from '@sealane/config';
import { EmbeddedStartError } from '@sealane/embedded';
import { startSealane, stopOnSignals } from './sealane';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function main(): Promise<void> {
  // A signal during start-up is kept and acted on once there is something to stop in order.
  let early: NodeJS.Signals | undefined;
  const remember = (sig: NodeJS.Signals) => (early ??= sig);
  for (const sig of SIGNALS) process.on(sig, remember);
  const s = await startSealane();
  for (const sig of SIGNALS) process.off(sig, remember);
  stopOnSignals(s);
  if (early) {
    process.emit(early as 'SIGTERM');
    return;
  }
  const d = s.devnet;
  console.log(`redis: ${d.redisUrl}${d.started.includes('redis') ? ' (embedded)' : ''}`);
  console.log(`l2: ${d.l2RpcUrl}${d.started.includes('l2') ? ' (embedded anvil)' : ''}`);
  console.log(`l1: ${d.l1RpcUrl}${d.started.includes('l1') ? ' (embedded anvil)' : ''}`);
  console.log(`inbox: ${d.inboxAddress}`);
  if (d.dataDir)
    console.log(`data: ${d.dataDir}${d.tempDataDir ? ' (temporary: removed on a clean stop)' : ''}`);
  console.log(`components: ${s.config.COMPONENTS.join(', ')}`);
  if (s.gatewayUrl) console.log(`gateway: ${s.gatewayUrl}`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof EmbeddedStartError) console.error(`sealane: ${e.message}`);
  else console.error(e);
  process.exit(1);
});
