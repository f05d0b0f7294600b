/** `npm start`: the whole sequencer in one process on the embedded defaults. */
import { ConfigError } from '@sealane/config';
import { EmbeddedStartError } from '@sealane/embedded';
import { startSealane, stopOnSignals } from './sealane';

async function main(): Promise<void> {
  const s = await startSealane();
  stopOnSignals(s);
  const d = s.devnet;
  console.log(`redis: ${d.redisUrl}${d.started.includes('redis') ? ' (embedded)' : ''}`);
  console.log(`l2: ${d.l2RpcUrl}${d.started.includes('l2') ? ' (embedded anvil)' : ''}`);
  console.log(`l1: ${d.l1RpcUrl}${d.started.includes('l1') ? ' (embedded anvil)' : ''}`);
  console.log(`inbox: ${d.inboxAddress}`);
  console.log(`components: ${s.config.COMPONENTS.join(', ')}`);
  if (s.gatewayUrl) console.log(`gateway: ${s.gatewayUrl}`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof EmbeddedStartError) console.error(`sealane: ${e.message}`);
  else console.error(e);
  process.exit(1);
});
