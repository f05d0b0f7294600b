/**
 * Public-lane ingest: transactions per second the gateway accepts over HTTP, one
 * eth_sendRawTransaction per request, from 2 clients x 8 keep-alive connections (load.ts). Only the
 * gateway runs (no builder draining the lane or competing for the CPU), with a pool large enough
 * never to refuse. The lane checks each sender's nonce and balance as a node does and lets at most
 * 64 nonces wait per sender, so the load comes from 1,280 funded senders (about 58 each).
 */
import { hexlify } from 'ethers';
import { EngineClient } from '@sealane/engine';
import { SealaneMetrics } from '@sealane/observe';
import { PublicLane } from '@sealane/store';
import { LOAD_NOTE, loadRows, measureLoad, withGateway, type LoadRequest } from './load';
import { derivedKeys, median, progress, TransferSigner, type Row } from './support';

const TARGET_TPS = 3000;
const WARMUP_TXS = 2000;
/** About 4 s per repetition at the target rate. */
const TXS_PER_REP = 12_000;
/**
 * Alternately with metrics off and on (even reps off), compared pair by pair: neighbouring
 * repetitions see the same machine and the same lane size, which the whole run does not.
 */
const REPS = 8;
const SENDERS = 1700;

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
    const metrics = s.app.get(SealaneMetrics);
    const run = await measureLoad({
      url: s.gatewayUrl!,
      check: { result: 'equals' },
      label: 'ingest',
      unit: 'tx/s',
      warmup,
      reps,
      afterWarmup: () => (metrics.enabled = false),
      afterRep: (rep) => {
        const was = metrics.enabled;
        metrics.enabled = rep % 2 === 0;
        return `metrics ${was ? 'on' : 'off'}`;
      },
    });
    metrics.enabled = true;
    const off = median(run.rates.filter((_, i) => i % 2 === 0));
    const on = median(run.rates.filter((_, i) => i % 2 === 1));
    const pairs = Array.from({ length: REPS / 2 }, (_, k) => run.rates[2 * k + 1] / run.rates[2 * k]);
    const ratio = median(pairs);
    // What recording one request costs the gateway's thread, against what the request costs it.
    const probe = new SealaneMetrics(true);
    const N = 200_000;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) probe.rpc('eth_sendRawTransaction', 0, 0.25);
    const recordUs = ((performance.now() - t0) * 1000) / N;
    const requestUs = (1e6 / on) * (run.busy / 100);
    const scraped = (await (await fetch(`${s.gatewayUrl}/metrics`)).text()).match(
      /^sealane_gateway_requests_total\{method="eth_sendRawTransaction",code="0"\} (\d+)/m,
    )?.[1];
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
      afterRate: [
        { name: 'ingest: throughput / target', value: tps / TARGET_TPS, unit: 'x', note: reached },
        {
          name: 'ingest: metrics on / off',
          value: ratio,
          unit: 'x',
          note:
            `median of ${REPS / 2} neighbouring pairs (${pairs.map((x) => x.toFixed(2)).join(', ')}; medians ` +
            `${on.toFixed(0)} vs ${off.toFixed(0)} tx/s); ${Math.abs(ratio - 1) <= 0.05 ? 'within' : 'NOT within'} 5%; ` +
            `the scrape counted ${scraped ?? 'no'} sends`,
        },
        {
          name: 'ingest: recording one request in the metrics',
          value: recordUs,
          unit: 'µs',
          note: `${((100 * recordUs) / requestUs).toFixed(2)}% of the ${requestUs.toFixed(0)} µs a request keeps the gateway's thread busy`,
        },
      ],
      failures: `of ${run.sent.toLocaleString('en-US')} sent (incl. warm-up); ${inLane.toLocaleString('en-US')} in the lane, ${run.accepted.toLocaleString('en-US')} accepted`,
      latencyNote: 'per request, client side',
    });
  });
}
