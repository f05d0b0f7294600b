/**
 * The Inbox v2 on a real L1 (anvil), as the embedded devnet deploys it: the L2 genesis it
 * publishes, output roots per batch, and forced inclusion through the SDK.
 */
import { getBytes, JsonRpcProvider, keccak256, Wallet, ZeroHash, type EventLog } from 'ethers';
import { DEV_KEYS, loadConfig } from '@sealane/config';
import { inboxContract, DEFAULT_FORCE_INCLUSION_FEE } from '@sealane/contracts';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { decodeGenesis, genesisConfigHash, L2Engine } from '@sealane/engine';
import { forceInclude } from '@sealane/sdk';

/** The name of the Inbox's custom error a call reverts with. */
async function revertOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (e: unknown) {
    const data = (e as { data?: string }).data;
    return data
      ? inboxContract(ZeroHash.slice(0, 42), new JsonRpcProvider()).interface.parseError(data)?.name
      : undefined;
  }
  return 'no revert';
}

describe('Inbox on L1', () => {
  let devnet: Devnet;
  let l1: JsonRpcProvider;
  beforeAll(async () => {
    devnet = await startEmbedded(loadConfig({}));
    l1 = new JsonRpcProvider(devnet.l1RpcUrl, undefined, { staticNetwork: true, pollingInterval: 100 });
  });
  afterAll(async () => {
    l1?.destroy();
    await devnet?.stop();
  });

  it('publishes the L2 genesis the engine started from: its hash and its config', async () => {
    const inbox = inboxContract(devnet.inboxAddress, l1);
    const [event] = (await inbox.queryFilter(inbox.filters.Genesis(), 0)) as EventLog[];
    const engine = new L2Engine(devnet.l2RpcUrl);
    const block0 = (await engine.getBlock(0))!;
    await engine.close();
    expect(event.args.genesisHash).toBe(block0.hash);
    expect(await inbox.genesisHash()).toBe(block0.hash);
    const config = decodeGenesis(getBytes(event.args.config as string));
    expect(config).toEqual(devnet.genesis);
    expect(await inbox.genesisConfigHash()).toBe(genesisConfigHash(config));
    expect(Number(block0.timestamp)).toBe(config.timestamp);
  });

  it('queues a forced transaction through the SDK, for its fee, and refuses one too large', async () => {
    const user = new Wallet(DEV_KEYS[5], l1);
    const l2Tx = await new Wallet(DEV_KEYS[5]).signTransaction({
      type: 2,
      chainId: devnet.genesis!.chainId,
      nonce: 0,
      to: '0x' + '11'.repeat(20),
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
    });
    const inbox = inboxContract(devnet.inboxAddress, l1);
    const before = await l1.getBalance(devnet.inboxAddress);
    const first = await forceInclude(user, devnet.inboxAddress, l2Tx);
    const second = await forceInclude(user, devnet.inboxAddress, l2Tx);
    expect([first.index, second.index]).toEqual([0, 1]);
    expect(first.txHash).toBe(keccak256(l2Tx));
    expect(await inbox.forcedCount()).toBe(2n);
    expect(await inbox.forcedTxHashes(1)).toBe(keccak256(l2Tx));
    expect((await l1.getBalance(devnet.inboxAddress)) - before).toBe(2n * DEFAULT_FORCE_INCLUSION_FEE);
    expect(first.l1Timestamp).toBe((await l1.getBlock(first.l1Block))!.timestamp);

    const huge = '0x' + 'ab'.repeat(64 * 1024 + 1);
    await expect(forceInclude(user, devnet.inboxAddress, huge)).rejects.toThrow(/1\.\.65536 bytes/);
    const direct = inboxContract(devnet.inboxAddress, user);
    expect(await revertOf(direct.forceInclude(huge, { value: DEFAULT_FORCE_INCLUSION_FEE }))).toBe(
      'BadForcedTxSize',
    );
    expect(await revertOf(direct.forceInclude(l2Tx, { value: 1n }))).toBe('FeeTooLow');
  });

  it('keeps the output root of each batch, from the poster only', async () => {
    const poster = new Wallet(DEV_KEYS[0], l1);
    const inbox = inboxContract(devnet.inboxAddress, poster);
    const root = keccak256('0x01');
    await (await inbox.appendBatch(0, 1, 2, '0x01', root)).wait();
    expect(await inbox.outputRoots(0)).toBe(root);
    const [log] = (await inbox.queryFilter(inbox.filters.BatchAppended(0), 0)) as EventLog[];
    expect(log.args.outputRoot).toBe(root);
    const stranger = inboxContract(devnet.inboxAddress, new Wallet(DEV_KEYS[6], l1));
    expect(await revertOf(stranger.appendBatch(1, 3, 3, '0x01', ZeroHash))).toBe('NotPoster');
  });
});
