/**
 * Public-lane ingest: transactions per second the gateway accepts over HTTP, one
 * eth_sendRawTransaction per request, from 2 clients x 8 keep-alive connections (load.ts). Only the
 * gateway runs (no builder draining the lane or competing for the CPU), with a pool large enough
 * never to refuse. The lane checks each sender's nonce and balance as a node does and lets at most
 * 64 nonces wait per sender, so the load comes from 1,024 funded senders (about 61 each).
 */
import { hexlify } from 'ethers';
import { EngineClient } from '@sealane/engine';
import { PublicLane } from '@sealane/store';
import { LOAD_NOTE, loadRows, measureLoad, withGateway, type LoadRequest } from './load';
import { derivedKeys, progress, TransferSigner, type Row } from './support';

const TARGET_TPS = 3000;
const WARMUP_TXS = 2000;
/** About 4 s per repetition at the target rate. */
const TXS_PER_REP = 12_000;
const REPS = 5;
const SENDERS = 1024;

let nextId = 1;

/** One request per transfer; the answer must be the transaction's hash. */
function requests(signer: TransferSigner, count: number): LoadRequest[] {
  return signer.sign(count).map((t) => ({
    body: `{"jsonrpc":"2.0","id":${nextId++},"method":"eth_sendRawTransaction","params":["${t.raw}"]}`,
    expect: t.hash,
  }));
}

export async function benchIngest(): Promise<Row[]> {
  progress(`ingest: signing ${WARMUP_TXS + REPS * TXS_PER_REP} transfers`);
  const senders = derivedKeys('ingest', SENDERS);
  const signer = new TransferSigner(senders.map((k) => hexlify(k.key)));
  const warmup = requests(signer, WARMUP_TXS);
  const reps = Array.from({ length: REPS }, () => requests(signer, TXS_PER_REP));

  return withGateway({ publicPoolCapacity: 1_000_000 }, async (s) => {
    // Funded on the engine directly, before the clock starts (no block: nothing is cached yet).
    const engine = new EngineClient(s.devnet.l2RpcUrl);
    const funded = await engine.batch(
      senders.map((k) => ['anvil_setBalance', [k.address, '0x' + (10n ** 21n).toString(16)]]),
    );
    if (funded.some((r) => !r.ok)) throw new Error('ingest: funding the senders failed');
    const run = await measureLoad({
      url: s.gatewayUrl!,
      check: { result: 'equals' },
      label: 'ingest',
      unit: 'tx/s',
      warmup,
      reps,
    });
    // Every accepted transaction must really be in the lane, or "accepted" means nothing.
    const inLane = await s.app.get(PublicLane).size();
    const tps = run.rate;
    const reached = tps >= TARGET_TPS ? 'target reached' : 'target NOT reached';
    return loadRows(run, {
      prefix: 'ingest',
      rate: {
        name: 'eth_sendRawTransaction over HTTP',
        unit: 'tx/s',
        note: `median of ${REPS} x ${TXS_PER_REP.toLocaleString('en-US')} txs, ${LOAD_NOTE}; ${reached} (${TARGET_TPS.toLocaleString('en-US')})`,
      },
      afterRate: [{ name: 'ingest: throughput / target', value: tps / TARGET_TPS, unit: 'x', note: reached }],
      failures: `of ${run.sent.toLocaleString('en-US')} sent (incl. warm-up); ${inLane.toLocaleString('en-US')} in the lane, ${run.accepted.toLocaleString('en-US')} accepted`,
      latencyNote: 'per request, client side',
    });
  });
}
