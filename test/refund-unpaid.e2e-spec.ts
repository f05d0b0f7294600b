/**
 * A slot always seals, also when the sequencer cannot pay a winner's refund: the winner is
 * dropped with its reason (it would otherwise pay more than its price) instead of the slot being
 * retried for ever. Real Redis, anvil, gateway and builder.
 */
import { rmSync } from 'node:fs';
import { Wallet } from 'ethers';
import { DEV_KEYS, loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import type { BundleStatus, SlotResults } from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { keyOf, signFast } from './support/junk';
import { rpc, waitFor } from './support/rpc';
import { sendBundle, signedCall } from './support/searcher';

const SEQUENCER = new Wallet(DEV_KEYS[0]).address.toLowerCase();
const hex = (n: number) => '0x' + n.toString(16);

describe('a refund the sequencer cannot pay (e2e)', () => {
  let devnet: Devnet;
  let s: Sealane;
  let url: string;

  beforeAll(async () => {
    const noL1 = { L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: '0x' + '11'.repeat(20) };
    devnet = await startEmbedded(loadConfig(noL1));
    s = await startSealane({
      env: {
        ...noL1,
        REDIS_URL: devnet.redisUrl,
        L2_RPC_URL: devnet.l2RpcUrl,
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        // Critical pricing: a lone winner pays the reserve (0) and is refunded all it paid.
        GENESIS_PARAMS: JSON.stringify({ slotMs: 1500, auctionPricing: 1 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
  });
  afterAll(async () => {
    await s?.stop();
    await devnet?.stop();
    if (devnet) rmSync(devnet.dataDir, { recursive: true, force: true });
  });

  it('drops the winner whose refund is refused and seals the slot and the next', async () => {
    await rpc(devnet.l2RpcUrl, 'anvil_setBalance', [SEQUENCER, '0x0']);
    const payer = new Wallet(DEV_KEYS[2]).address;
    const nonce = Number(await rpc<string>(url, 'eth_getTransactionCount', [payer, 'latest']));
    const tx = signFast(keyOf(DEV_KEYS[2]), { nonce, to: SEQUENCER, value: 10n ** 16n });
    const target = Number(await rpc<string>(url, 'eth_blockNumber')) + 2;
    const bundleHash = await sendBundle(url, 1, [tx.raw], target);

    const r = await waitFor(
      `slot ${target}'s results`,
      () => rpc<SlotResults | null>(url, 'sealane_getSlotResults', [hex(target)]),
      90_000,
    );
    expect(r.winners).toEqual([]);
    expect(r.dropped).toEqual([{ bundleHash, reason: expect.stringContaining('refund') }]);
    const st = (await signedCall<BundleStatus>(url, 1, 'sealane_getBundleStatus', [bundleHash])).result!;
    expect(st).toMatchObject({ state: 'dropped', block: target });
    const block = await rpc<{ transactions: string[] }>(url, 'eth_getBlockByNumber', [hex(target), false]);
    expect(block.transactions).not.toContain(tx.hash);
    await waitFor(
      `block ${target + 1}`,
      async () => (await rpc<unknown>(url, 'eth_getBlockByNumber', [hex(target + 1), false])) ?? null,
      60_000,
    );
  });
});
