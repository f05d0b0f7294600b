/**
 * What an operator sees of `npm start`: the built binary in its own process with LOG_FORMAT=json
 * and a METRICS_PORT, under public transfers, a bundle that wins and a private transaction.
 * Every stdout line is one JSON object, the auction result, the commitments' outcome, the sealed
 * blocks, the leader and the posted batch each have their line; GET /metrics on the gateway
 * (and on METRICS_PORT) scrapes as valid Prometheus text whose series count what happened.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { parsePrometheusText, sampleValue, type Sample } from '@sealane/observe';
import { SealaneClient } from '@sealane/sdk';
import { spawnSealane, type Component } from './support/processes';
import { rpc, transfer, waitFor, wallet } from './support/rpc';
import { coinbaseBid, sendBundle, signedCall } from './support/searcher';

type Line = Record<string, unknown> & { event?: string; msg: string; level: string; time: string };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('metrics and structured logs of npm start (e2e)', () => {
  let s: Component;
  let url: string;
  let metricsPort: number;
  let dataDir: string | undefined;
  const lines = (): Line[] =>
    s
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Line);
  const events = (name: string) => lines().filter((l) => l.event === name);

  beforeAll(async () => {
    metricsPort = await freePort();
    s = spawnSealane({
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'log',
      GATEWAY_PORT: '0',
      METRICS_PORT: String(metricsPort),
      POSTER_POLL_MS: '300',
      GENESIS_PARAMS: JSON.stringify({ slotMs: 600, auctionCloseOffsetMs: 250 }),
    });
    const started = await waitFor(
      'the start line',
      async () => s.output().includes('sealane.started') && events('sealane.started')[0],
      90_000,
    );
    url = String(started.gateway);
    dataDir = started.dataDir as string | undefined;
  });
  afterAll(async () => {
    await s?.kill('SIGTERM');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const scrape = async (base: string): Promise<Sample[]> => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };

  it('logs and counts the auction, the commitments, the blocks and the batch', async () => {
    for (let n = 0; n < 3; n++) await rpc(url, 'eth_sendRawTransaction', [await transfer(1, n)]);
    const priv = await new SealaneClient(url).sendPrivateTransaction(wallet(5), {
      to: wallet(9).address,
      value: 7n,
      gasLimit: 21_000n,
    });
    expect(priv.status.state).toBe('included');
    const target = Number(await rpc(url, 'eth_blockNumber')) + 2;
    const bid = await coinbaseBid(4, 0, 10n ** 15n);
    const bundleHash = await sendBundle(url, 4, [bid], target);
    const won = await waitFor(
      'the bundle included',
      async () => {
        const r = await signedCall<{ state: string; block?: number }>(url, 4, 'sealane_getBundleStatus', [
          bundleHash,
        ]);
        return r.result?.state === 'included' && r.result;
      },
      60_000,
    );
    await waitFor(
      'a batch posted with the bundle',
      async () =>
        ((await rpc<{ postedBlock: number } | null>(url, 'sealane_getPosterStatus'))?.postedBlock ?? 0) >=
        won.block!,
      60_000,
    );
    await waitFor('the batch line', async () =>
      events('batch.posted').some((l) => Number(l.lastBlock) >= won.block!),
    );

    // Logs: every line is JSON with a millisecond time; one line per kind of news.
    const all = lines();
    for (const l of all) expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const auction = events('auction.result').find((l) => l.slot === won.block)!;
    expect(auction).toMatchObject({ level: 'log', context: 'builder', bids: 1 });
    expect(auction.winners).toEqual([
      expect.objectContaining({ bundleHash, searcher: wallet(4).address.toLowerCase() }),
    ]);
    expect(auction.msg).toContain(`slot ${won.block} auction: 1 bids, 1 won`);
    const commits = events('commitments.outcome').find((l) => l.slot === priv.status.block)!;
    expect(commits).toMatchObject({ included: 1, expired: 0, skipped: 0 });
    const sealed = events('block.sealed');
    expect(sealed.map((l) => l.block)).toContain(won.block);
    expect(sealed.every((l) => typeof l.delayMs === 'number')).toBe(true);
    expect(events('leader.took')).toHaveLength(1);

    // Metrics: valid exposition text on both ports, counting what happened.
    for (const base of [url, `http://127.0.0.1:${metricsPort}`]) {
      const m = await scrape(base);
      const v = (name: string, labels?: Record<string, string>) => sampleValue(m, name, labels) ?? 0;
      expect(v('sealane_builder_blocks_sealed_total')).toBeGreaterThanOrEqual(won.block!);
      expect(v('sealane_builder_transactions_total')).toBeGreaterThanOrEqual(6);
      expect(v('sealane_builder_slot_phase_seconds_count', { phase: 'seal' })).toBeGreaterThan(0);
      expect(v('sealane_builder_slot_phase_seconds_count', { phase: 'clear' })).toBeGreaterThan(0);
      expect(v('sealane_builder_seal_delay_seconds_count')).toBeGreaterThan(0);
      expect(v('sealane_builder_is_leader')).toBe(1);
      expect(v('sealane_auction_bids_total')).toBe(1);
      expect(v('sealane_auction_winners_total')).toBe(1);
      expect(v('sealane_auction_clearing_price_wei')).toBeGreaterThan(0);
      expect(v('sealane_mempool_commitments_total', { outcome: 'included' })).toBe(1);
      expect(v('sealane_gateway_requests_total', { method: 'eth_sendRawTransaction', code: '0' })).toBe(3);
      expect(v('sealane_gateway_requests_total', { method: 'eth_sendBundle', code: '0' })).toBe(1);
      expect(
        v('sealane_gateway_request_duration_seconds_count', { method: 'eth_blockNumber' }),
      ).toBeGreaterThan(0);
      expect(v('sealane_batcher_batches_posted_total')).toBeGreaterThanOrEqual(1);
      expect(v('sealane_batcher_output_bytes_total')).toBeLessThan(v('sealane_batcher_input_bytes_total'));
      expect(v('sealane_batcher_comp_ratio_count')).toBeGreaterThanOrEqual(1);
      expect(v('process_resident_memory_bytes')).toBeGreaterThan(0);
    }
  });

  it('counts refused requests by their error code', async () => {
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: ['0x1234'] }),
    });
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'no_such_method', params: [] }),
    });
    const m = await scrape(url);
    const refused = m.filter(
      (x) =>
        x.name === 'sealane_gateway_requests_total' &&
        x.labels.method === 'eth_sendRawTransaction' &&
        x.labels.code !== '0',
    );
    expect(refused.reduce((a, x) => a + x.value, 0)).toBe(1);
    expect(sampleValue(m, 'sealane_gateway_requests_total', { method: '(unknown)', code: '-32601' })).toBe(1);
  });
});
