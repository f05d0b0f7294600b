/**
 * Forced inclusion end to end, on the embedded devnet: a transaction sent only to L1
 * (`Inbox.forceInclude`, through the SDK) is in the L2 chain by its deadline, first in its
 * block; one that cannot execute is dropped at its deadline with its code; one also sent to the
 * public lane is included once; and a replica derived from L1 alone agrees with all of it.
 */
import { JsonRpcProvider, Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { inboxContract } from '@sealane/contracts';
import { deriveChain } from '@sealane/derive';
import { forceInclude, type ForcedReceipt } from '@sealane/sdk';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, transfer, waitFor } from './support/rpc';

const DELAY = 4;

interface ForcedStatus {
  state: string;
  block?: number;
  txIndex?: number;
  code?: string;
  arrival?: number;
  deadline?: number;
}

describe('forced inclusion (e2e)', () => {
  let s: Sealane;
  let l1: JsonRpcProvider;
  beforeAll(async () => {
    s = await startSealane({
      env: {
        GATEWAY_PORT: '0',
        GENESIS_PARAMS: JSON.stringify({
          slotMs: 500,
          batchMaxDelayMs: 500,
          forceInclusionDelaySlots: DELAY,
        }),
      },
      logger: ['error'],
    });
    l1 = new JsonRpcProvider(s.devnet.l1RpcUrl, undefined, { staticNetwork: true, pollingInterval: 100 });
  });
  afterAll(async () => {
    l1?.destroy();
    await s?.stop();
  });

  const status = (r: ForcedReceipt) =>
    rpc<ForcedStatus | null>(s.gatewayUrl!, 'sealane_getForcedInclusion', [r.index]);
  const resolved = (r: ForcedReceipt) =>
    waitFor(`forced #${r.index} resolved`, async () => {
      const st = await status(r);
      return st && st.state !== 'queued' ? st : undefined;
    });

  it('includes forced transactions by their deadline, first in the block, and drops what cannot execute', async () => {
    const user = new Wallet(DEV_KEYS[7], l1);
    // Sent to L1 only: the gateway never sees it.
    const onlyL1 = await forceInclude(user, s.devnet.inboxAddress, await transfer(7, 0));
    // A nonce the chain will have used by then (the one above takes 0): dropped at its deadline.
    const used = await forceInclude(user, s.devnet.inboxAddress, await transfer(7, 0, { value: 5n }));
    // For another chain: never executes.
    const otherChain = await forceInclude(user, s.devnet.inboxAddress, await transfer(8, 0, { chainId: 1 }));
    // Forced and also sent to the public lane: in the chain once.
    const both = await transfer(6, 0);
    const twice = await forceInclude(new Wallet(DEV_KEYS[6], l1), s.devnet.inboxAddress, both);
    await rpc(s.gatewayUrl!, 'eth_sendRawTransaction', [both]);

    const a = await resolved(onlyL1);
    expect(a.state).toBe('included');
    const receipt = await rpc<{ blockNumber: string; transactionIndex: string }>(
      s.gatewayUrl!,
      'eth_getTransactionReceipt',
      [onlyL1.txHash],
    );
    expect(Number(receipt.blockNumber)).toBe(a.block);
    expect(Number(receipt.transactionIndex)).toBe(0);

    const b = await resolved(used);
    expect(b).toMatchObject({ state: 'dropped', code: 'nonce-too-low' });
    const c = await resolved(otherChain);
    expect(c).toMatchObject({ state: 'dropped', code: 'wrong-chain' });
    const d = await resolved(twice);
    expect(d.state).toBe('included');
    const block = await rpc<{ transactions: string[] }>(s.gatewayUrl!, 'eth_getBlockByNumber', [
      '0x' + d.block!.toString(16),
      false,
    ]);
    expect(block.transactions.filter((h) => h === twice.txHash)).toHaveLength(1);

    // Each was resolved by its deadline (the first block at or after its L1 timestamp + DELAY).
    for (const st of [a, b, c]) {
      expect(st.deadline).toBeDefined();
      expect(st.block!).toBeLessThanOrEqual(st.deadline!);
    }
    expect(b.block).toBe(b.deadline);
    expect(await rpc(s.gatewayUrl!, 'sealane_getForcedInclusion', [999])).toBeNull();

    // A replica from L1 alone checks the deadline rule over every posted block.
    const head = Math.max(a.block!, b.block!, c.block!, d.block!);
    const inbox = inboxContract(s.devnet.inboxAddress, l1);
    await waitFor(
      'batches past the forced transactions',
      async () => Number(await inbox.nextBlock()) > head + DELAY,
      60_000,
      250,
    );
    const report = await deriveChain({ l1RpcUrl: s.devnet.l1RpcUrl, inboxAddress: s.devnet.inboxAddress });
    expect(report.divergence).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.forced).toEqual({ queued: 4, included: 2, dropped: 2 });
  });
});
