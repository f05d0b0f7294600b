/** `npm start`: the whole sequencer in one process on the embedded defaults. */
import { Logger } from '@nestjs/common';
import { ConfigError } from '@sealane/config';
import { logEvent } from '@sealane/observe';
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
  const lines: [string, string | undefined][] = [
    ['redis', `${d.redisUrl}${d.started.includes('redis') ? ' (embedded)' : ''}`],
    ['l2', `${d.l2RpcUrl}${d.started.includes('l2') ? ' (embedded anvil)' : ''}`],
    ['l1', `${d.l1RpcUrl}${d.started.includes('l1') ? ' (embedded anvil)' : ''}`],
    ['inbox', d.inboxAddress],
    ['data', d.dataDir && `${d.dataDir}${d.tempDataDir ? ' (temporary: removed on a clean stop)' : ''}`],
    ['components', s.config.COMPONENTS.join(', ')],
    ['gateway', s.gatewayUrl && `${s.gatewayUrl} (JSON-RPC over HTTP and WebSocket)`],
    ['dashboard', s.gatewayUrl && `${s.gatewayUrl}/`],
    ['metrics', s.gatewayUrl && s.config.METRICS_ENABLED ? `${s.gatewayUrl}/metrics` : undefined],
  ];
  const shown = lines.filter((l): l is [string, string] => l[1] !== undefined);
  if (s.config.LOG_FORMAT === 'json') {
    // One JSON object a line on stdout, this one too, so a log shipper never sees plain text.
    const gw = s.gatewayUrl;
    new Logger('sealane').log(
      logEvent('sealane.started', 'started', {
        redis: d.redisUrl,
        l2: d.l2RpcUrl,
        l1: d.l1RpcUrl,
        inbox: d.inboxAddress,
        embedded: d.started,
        dataDir: d.dataDir,
        components: s.config.COMPONENTS,
        gateway: gw,
        dashboard: gw && `${gw}/`,
        metrics: gw && s.config.METRICS_ENABLED ? `${gw}/metrics` : undefined,
      }),
    );
  } else {
    for (const [k, v] of shown) console.log(`${k}: ${v}`);
  }
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof EmbeddedStartError) console.error(`sealane: ${e.message}`);
  else console.error(e);
  process.exit(1);
});
