/**
 * The encrypted mempool end to end: the SDK commits, checks its receipt and the published order,
 * reveals, and the transaction lands right after its fee transaction; an unrevealed commitment
 * still pays its fee; reveals before the order or after the deadline, and wrong keys, are refused.
 */
import { Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { revealRequestOf, revealRequestToJson } from '@sealane/mempool';
import { toHex } from '@sealane/protocol';
import { SEALANE_CODES } from '@sealane/rpc';
import { SealaneClient, SealaneRpcError } from '@sealane/sdk';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, waitFor } from './support/rpc';

describe('encrypted mempool (e2e)', () => {
  let s: Sealane;
  let client: SealaneClient;

  beforeAll(async () => {
    s = await startSealane({
      env: {
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        L1_RPC_URL: 'http://127.0.0.1:1',
        INBOX_ADDRESS: '0x' + '11'.repeat(20),
        GENESIS_PARAMS: JSON.stringify({ slotMs: 1000, auctionCloseOffsetMs: 400, revealWindowMs: 250 }),
      },
      logger: ['error'],
    });
    client = new SealaneClient(s.gatewayUrl!);
  });
  afterAll(() => s?.stop());

  /** A commitment without its reveal: the SDK's first step alone. */
  const commitOnly = (key: number, slot: number) =>
    client.commitPrivate(
      new Wallet(DEV_KEYS[key]),
      { to: new Wallet(DEV_KEYS[key]).address, value: 1n, gasLimit: 21_000n },
      { slot },
    );

  it('commits, reveals after the published order, and lands right after its fee transaction', async () => {
    const w = new Wallet(DEV_KEYS[5]);
    const r = await client.sendPrivateTransaction(w, {
      to: new Wallet(DEV_KEYS[9]).address,
      value: 12345n,
      gasLimit: 21_000n,
    });
    expect(r.status).toMatchObject({ state: 'included', block: r.slot });
    const receipt = await rpc<{ blockNumber: string; transactionIndex: string; status: string }>(
      s.gatewayUrl!,
      'eth_getTransactionReceipt',
      [r.txHash],
    );
    expect(Number(receipt.blockNumber)).toBe(r.slot);
    expect(receipt.status).toBe('0x1');
    const fee = await rpc<{ transactionIndex: string }>(s.gatewayUrl!, 'eth_getTransactionReceipt', [
      r.feeTxHash,
    ]);
    expect(Number(fee.transactionIndex)).toBe(Number(receipt.transactionIndex) - 1);
    expect(r.timings.orderedMs).toBeLessThanOrEqual(r.timings.sealedMs);
  });

  it("answers the open slot's earliest times: it closes and is sealed no sooner", async () => {
    const info = await client.mempoolInfo();
    const times = info.openSlotTimes!;
    expect(times.closeMs - times.startMs).toBe(1000 - 400);
    expect(times.endMs - times.startMs).toBe(1000);
    const order = await waitFor('the order', () =>
      client.rpc<{ revealDeadlineMs: number } | null>('sealane_getSlotOrder', [
        '0x' + info.openSlot.toString(16),
      ]),
    );
    // The order goes out at the close with its deadline one reveal window later.
    expect(order.revealDeadlineMs - 250).toBeGreaterThanOrEqual(times.closeMs);
    const block = await waitFor('the block', () =>
      rpc<{ timestamp: string } | null>(s.gatewayUrl!, 'eth_getBlockByNumber', [
        '0x' + info.openSlot.toString(16),
        false,
      ]),
    );
    expect(Number(block.timestamp) * 1000).toBeGreaterThanOrEqual(Math.floor(times.startMs / 1000) * 1000);
  });

  it('charges the fee of a commitment that is never revealed', async () => {
    const info = await client.mempoolInfo();
    const { commitment: c, feeTxHash, txHash } = await commitOnly(6, info.openSlot + 1);
    const st = await waitFor('the outcome', async () => {
      const v = await client.rpc<{ state: string; reason?: string; feeTxHash?: string } | null>(
        'sealane_getCommitmentStatus',
        [c],
      );
      return v && ['expired', 'skipped', 'included'].includes(v.state) ? v : undefined;
    });
    expect(st).toMatchObject({ state: 'expired', reason: 'not revealed', feeTxHash });
    expect(await rpc(s.gatewayUrl!, 'eth_getTransactionReceipt', [feeTxHash])).not.toBeNull();
    expect(await rpc(s.gatewayUrl!, 'eth_getTransactionReceipt', [txHash])).toBeNull();
  });

  it('refuses a reveal before the order is published, a wrong key, and a reveal after the deadline', async () => {
    const info = await client.mempoolInfo();
    const slot = info.openSlot + 2;
    const { prepared } = await commitOnly(7, slot);
    const reveal = revealRequestToJson(revealRequestOf(prepared));
    const code = async (params: unknown) => {
      try {
        await client.rpc('sealane_reveal', [params]);
        return 0;
      } catch (e) {
        return (e as SealaneRpcError).code;
      }
    };
    expect(await code(reveal)).toBe(SEALANE_CODES.RevealTooEarlyError);
    await waitFor(
      'the order',
      () => client.rpc('sealane_getSlotOrder', ['0x' + slot.toString(16)]),
      30_000,
      20,
    );
    expect(await code({ ...reveal, key: toHex(new Uint8Array(32).fill(7)) })).toBe(
      SEALANE_CODES.InvalidRevealError,
    );
    await waitFor(
      'the slot to seal',
      async () => Number(await rpc(s.gatewayUrl!, 'eth_blockNumber')) >= slot,
    );
    expect(await code(reveal)).toBe(SEALANE_CODES.RevealTooLateError);
  });
});
