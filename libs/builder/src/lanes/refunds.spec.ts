import { Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { decodeTransaction, fromHex, AccountBook } from '@sealane/protocol';
import { SlotTrace } from '../trace';
import { addr, BASE_FEE, CHAIN_ID, RICH, transfer, winner } from './lanes.fixture';
import type { PlacedWinner } from './mev';
import { REFUND_GAS, RefundsLane } from './refunds';

const signer = { feeRecipient: new Wallet(DEV_KEYS[0]), chainId: CHAIN_ID };

describe('RefundsLane', () => {
  it('pays back each placed winner with a refund, with the next nonces the book gives', async () => {
    const [a, b, c] = await Promise.all([transfer(1, 0), transfer(2, 0), transfer(3, 0)]);
    const placed: PlacedWinner[] = [winner([a], 10n, 4n), winner([b], 10n, 0n), winner([c], 10n, 6n)].map(
      (w) => ({ winner: w, gasUsed: 21_000n }),
    );
    const lane = new RefundsLane({ placed }, signer, BASE_FEE, new SlotTrace());
    expect(await lane.prepare()).toEqual([addr(0)]);
    expect(lane.reserve()).toBe(2n * REFUND_GAS);
    const book = new AccountBook(new Map([[addr(0), { nonce: 3, balance: RICH }]]), BASE_FEE);
    const p = await lane.plan(book);
    expect(p.gas).toBe(2n * REFUND_GAS);
    const txs = p.txs.map((t) => ({ ...t, tx: decodeTransaction(fromHex(t.raw)) }));
    expect(txs.map((t) => [t.role, t.refundFor, t.from, t.tx.hash])).toEqual([
      ['refund', placed[0].winner.bid.bundleHash, addr(0), txs[0].hash],
      ['refund', placed[2].winner.bid.bundleHash, addr(0), txs[1].hash],
    ]);
    expect(txs.map((t) => [t.tx.nonce, t.tx.value, t.tx.to, t.tx.maxFeePerGas])).toEqual([
      [3, 4n, addr(8), BASE_FEE * 2n + 1n],
      [4, 6n, addr(8), BASE_FEE * 2n + 1n],
    ]);
    expect(book.nextNonce(addr(0))).toBe(5);
  });

  it('drops a winner whose refund the engine refuses', async () => {
    const w = winner([await transfer(1, 0)], 10n, 4n);
    const trace = new SlotTrace();
    const lane = new RefundsLane({ placed: [{ winner: w, gasUsed: 21_000n }] }, signer, BASE_FEE, trace);
    const p = await lane.plan(new AccountBook(new Map(), BASE_FEE));
    lane.onRefused(p.txs[0], 'rejected by the L2 engine: insufficient funds');
    expect(trace.dropped.get(w.bid.bundleHash)).toEqual({
      code: 'refund-refused',
      reason: 'its refund was rejected by the L2 engine: insufficient funds',
    });
  });

  it('pays nothing without an auction', async () => {
    const w = winner([await transfer(1, 0)], 10n, 4n);
    const lane = new RefundsLane(
      { placed: [{ winner: w, gasUsed: 1n }] },
      undefined,
      BASE_FEE,
      new SlotTrace(),
    );
    expect(await lane.prepare()).toEqual([]);
    expect(await lane.plan(new AccountBook(new Map(), BASE_FEE))).toEqual({ txs: [], gas: 0n });
  });
});
