/**
 * The derivation rules against a sequencer that breaks them: the test seals blocks by hand on an
 * engine from its own genesis and posts them to an Inbox it deploys on a real L1 (anvil), once
 * honestly and once with one thing changed each time. The replica, from L1 alone, reports the
 * first block that breaks a rule and why; a builder that leaves a forced transaction out past its
 * deadline is caught there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, keccak256, NonceManager, Wallet, type Contract } from 'ethers';
import { outputRoot, type BatchBlock } from '@sealane/batch';
import { DEV_KEYS } from '@sealane/config';
import { deriveChain, type ReplicaReport } from '@sealane/derive';
import { startAnvil, type ManagedProcess } from '@sealane/embedded';
import { devGenesis } from '@sealane/engine';
import { forceInclude } from '@sealane/sdk';
import { engineFrom, postBatch, sealBlock, testInbox, type Kit } from './support/chain-kit';
import { transfer } from './support/rpc';

const genesis = devGenesis({
  chainId: 24225,
  gasLimit: 30_000_000,
  timestamp: Math.floor(Date.now() / 1000) - 600,
});

describe('derivation rules (e2e, a hand-made sequencer)', () => {
  let dir: string;
  let l1Proc: ManagedProcess;
  let l1: JsonRpcProvider;
  let l1Url: string;
  let poster: NonceManager;
  let kit: Kit;
  let honest: BatchBlock[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sealane-rules-'));
    const started = await startAnvil('anvil-l1', dir, ['--chain-id', '31337']);
    l1Proc = started.proc;
    l1Url = started.url;
    l1 = new JsonRpcProvider(started.url, undefined, { staticNetwork: true, pollingInterval: 50 });
    poster = new NonceManager(new Wallet(DEV_KEYS[0], l1));
    kit = await engineFrom(genesis);
    honest = [];
    for (let n = 1; n <= 6; n++) {
      honest.push(
        await sealBlock(kit.engine, genesis.timestamp + n, [
          await transfer(1, n - 1),
          await transfer(2, n - 1),
        ]),
      );
    }
  });
  afterAll(async () => {
    await kit?.stop();
    l1?.destroy();
    await l1Proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh Inbox over the genesis with `batches` posted; the replica's report of it. */
  async function derive(
    batches: BatchBlock[][],
    roots: (string | undefined)[] = [],
    before?: (inbox: Contract, address: string) => Promise<void>,
  ): Promise<ReplicaReport> {
    const { inbox, address } = await testInbox(poster, genesis, kit.genesisHash);
    await before?.(inbox, address);
    for (const [seq, blocks] of batches.entries()) await postBatch(inbox, seq, blocks, roots[seq]);
    return deriveChain({ l1RpcUrl: l1Url, inboxAddress: address });
  }

  it('re-executes an honest chain to every hash and state root', async () => {
    const r = await derive([honest.slice(0, 3), honest.slice(3)]);
    expect(r.divergence).toBeUndefined();
    expect(r).toMatchObject({ ok: true, batches: 2, blocks: 6, head: 6, transactions: 12 });
  });

  it('reports a changed state root, transaction, output root or timestamp at its block', async () => {
    const tampered = (n: number, change: (b: BatchBlock) => BatchBlock) =>
      honest.map((b) => (b.number === n ? change(b) : b));
    const stateRoot = await derive([
      honest.slice(0, 3),
      tampered(4, (b) => ({ ...b, stateRoot: keccak256('0x01') })).slice(3),
    ]);
    expect(stateRoot.divergence).toMatchObject({
      block: 4,
      batch: 1,
      reason: expect.stringMatching(/state root is 0x[0-9a-f]+ on re-execution/),
    });
    expect(stateRoot.head).toBe(3);

    const otherTx = await transfer(2, 4, { value: 999n });
    const tx = await derive([
      honest.slice(0, 3),
      tampered(5, (b) => ({ ...b, txs: [b.txs[0], Buffer.from(otherTx.slice(2), 'hex')] })).slice(3),
    ]);
    expect(tx.divergence).toMatchObject({ block: 5, reason: expect.stringMatching(/state root/) });

    const root = await derive([honest.slice(0, 3), honest.slice(3)], [undefined, outputRoot(honest[4])]);
    expect(root.divergence).toMatchObject({
      block: 6,
      batch: 1,
      reason: expect.stringMatching(/output root .* is not that of block 6/),
    });
    expect(root.head).toBe(3);

    const time = await derive([
      honest.slice(0, 3),
      tampered(5, (b) => ({ ...b, timestamp: genesis.timestamp + 1 })).slice(3),
    ]);
    expect(time.divergence).toMatchObject({
      block: 5,
      reason: expect.stringMatching(/is before its parent's/),
    });
  });

  it('catches a builder that leaves a forced transaction out past its deadline', async () => {
    const user = new NonceManager(new Wallet(DEV_KEYS[7], l1));
    const forcedRaw = await transfer(7, 0);
    const usedRaw = await transfer(3, 0, { value: 5n }); // nonce 0 of account 3, used by block 1
    const chain = async (withForced: boolean) => {
      const k = await engineFrom(genesis);
      try {
        let forcedAt = 0;
        const queue = async (_inbox: Contract, address: string) => {
          await forceInclude(user, address, forcedRaw);
          forcedAt = (await forceInclude(user, address, usedRaw)).l1Timestamp;
        };
        const { inbox, address } = await testInbox(poster, genesis, k.genesisHash);
        await queue(inbox, address);
        // Every block at or after both L1 times: they arrive at block 1, due by block 1 + 3.
        const blocks: BatchBlock[] = [];
        for (let n = 1; n <= 6; n++) {
          const txs = n === 1 ? [await transfer(3, 0)] : n === 2 && withForced ? [forcedRaw] : [];
          blocks.push(await sealBlock(k.engine, forcedAt, txs, { forceInclusionDelaySlots: 3 }));
        }
        await postBatch(inbox, 0, blocks);
        return deriveChain({ l1RpcUrl: l1Url, inboxAddress: address });
      } finally {
        await k.stop();
      }
    };
    const censored = await chain(false);
    expect(censored.divergence).toMatchObject({
      block: 4,
      reason: `forced transaction #0 (${keccak256(forcedRaw)}) was due by block 4 and is not in the chain`,
    });
    expect(censored.head).toBe(0);

    const served = await chain(true);
    expect(served.divergence).toBeUndefined();
    // The forced transaction is in block 2; the one with a used nonce is dropped at its deadline.
    expect(served.forced).toEqual({ queued: 2, included: 1, dropped: 1 });
  });
});
