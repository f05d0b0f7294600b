/**
 * The public lane streamed into the engine while its slot is open (libs/builder/src/intake):
 * transfers that arrive early in a slot are in the engine before the slot ends, the seal sends
 * only the rest, and the block holds them in arrival order, as without the stream. A slot with
 * a bundle keeps its winner on top: the stream stands aside and the seal sends the block whole.
 */
import { keccak256 } from 'ethers';
import { parsePrometheusText, sampleValue } from '@sealane/observe';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, transfer, waitFor } from './support/rpc';
import { coinbaseBid, sendBundle } from './support/searcher';

describe('public lane streamed while the slot is open (e2e)', () => {
  let s: Sealane;
  let url: string;
  const metric = async (name: string, labels?: Record<string, string>) =>
    sampleValue(parsePrometheusText(await (await fetch(`${url}/metrics`)).text()), name, labels) ?? 0;
  const head = async () => Number(await rpc(url, 'eth_blockNumber'));
  /** Right after a block is sealed: the next slot has just opened. */
  const slotOpened = async () => {
    const h = await head();
    await waitFor('the next block', async () => (await head()) > h, 30_000, 10);
  };

  beforeAll(async () => {
    s = await startSealane({
      env: {
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 1500, auctionCloseOffsetMs: 300 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
  });
  afterAll(() => s?.stop());

  it('streams what arrives early in a slot and seals it in arrival order', async () => {
    const streamed0 = await metric('sealane_builder_streamed_transactions_total');
    const prefilled0 = await metric('sealane_builder_submit_total', { path: 'prefilled' });
    await slotOpened();
    const hashes: string[] = [];
    // Three senders interleaved; each sender's nonces in order.
    for (let n = 0; n < 4; n++)
      for (const key of [1, 2, 3])
        hashes.push(await rpc<string>(url, 'eth_sendRawTransaction', [await transfer(key, n)]));
    const receipts = await waitFor('all included', async () => {
      const r = await Promise.all(
        hashes.map((h) =>
          rpc<{ blockNumber: string; transactionIndex: string } | null>(url, 'eth_getTransactionReceipt', [
            h,
          ]),
        ),
      );
      return r.every(Boolean) && (r as { blockNumber: string; transactionIndex: string }[]);
    });
    const blocks = new Set(receipts.map((r) => Number(r.blockNumber)));
    expect(blocks.size).toBe(1);
    // Arrival order is block order.
    expect(receipts.map((r) => Number(r.transactionIndex))).toEqual(hashes.map((_, i) => i));
    expect(await metric('sealane_builder_streamed_transactions_total')).toBeGreaterThanOrEqual(
      streamed0 + hashes.length,
    );
    expect(await metric('sealane_builder_submit_total', { path: 'prefilled' })).toBeGreaterThan(prefilled0);
    const statuses = await Promise.all(
      hashes.map((h) => rpc<{ status: string }>(url, 'sealane_getTransactionStatus', [h])),
    );
    expect(statuses.every((x) => x.status === 'included')).toBe(true);
  });

  it('keeps a winning bundle on top: a slot with a bundle is sent whole at the seal', async () => {
    const whole0 = await metric('sealane_builder_submit_total', { path: 'whole' });
    await slotOpened();
    const target = (await head()) + 1;
    const pub = await rpc<string>(url, 'eth_sendRawTransaction', [await transfer(5, 0)]);
    const bid = await coinbaseBid(6, 0, 10n ** 15n);
    await sendBundle(url, 6, [bid], target);
    const block = await waitFor(
      'the target block',
      async () =>
        (await head()) >= target &&
        rpc<{ transactions: string[] }>(url, 'eth_getBlockByNumber', ['0x' + target.toString(16), false]),
    );
    expect(block.transactions.map((h) => h.toLowerCase())).toEqual(
      [keccak256(bid), pub].map((h) => h.toLowerCase()),
    );
    expect(await metric('sealane_builder_submit_total', { path: 'whole' })).toBeGreaterThan(whole0);
  });
});
