/**
 * A hand-made rollup for tests that play a sequencer (honest or not): an engine from a genesis,
 * blocks sealed by hand, batches posted to an Inbox the test deploys and posts to.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getBytes, keccak256, ZeroHash, type Contract, type Signer } from 'ethers';
import { encodeBatch, outputRoot, type BatchBlock } from '@sealane/batch';
import { deployInbox, inboxContract } from '@sealane/contracts';
import { startAnvil } from '@sealane/embedded';
import {
  anvilGenesisArgs,
  encodeGenesis,
  gethGenesisJson,
  L2Engine,
  submitOrdered,
  type GenesisConfig,
} from '@sealane/engine';

export interface Kit {
  engine: L2Engine;
  genesisHash: string;
  stop(): Promise<void>;
}

/** A fresh engine from `genesis`, as the sequencer and the replica start theirs. */
export async function engineFrom(genesis: GenesisConfig): Promise<Kit> {
  const dir = mkdtempSync(join(tmpdir(), 'sealane-kit-'));
  const file = join(dir, 'genesis.json');
  writeFileSync(file, gethGenesisJson(genesis));
  const { url, proc } = await startAnvil('anvil-kit', dir, anvilGenesisArgs(file));
  const engine = new L2Engine(url);
  const genesisHash = (await engine.getBlock(0))!.hash;
  return {
    engine,
    genesisHash,
    stop: async () => {
      await engine.close();
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Seals the next block with exactly `raws`, at `timestamp`, and returns it as a batch carries it. */
export async function sealBlock(
  engine: L2Engine,
  timestamp: number,
  raws: string[],
  evidence: Partial<BatchBlock['evidence']> = {},
): Promise<BatchBlock> {
  const res = await submitOrdered(engine, raws);
  const bad = res.find((r) => !r.ok);
  if (bad && !bad.ok) throw bad.error;
  await engine.mine(timestamp);
  const b = (await engine.getBlock('latest'))!;
  const sealed = b.transactions.map((h) => h.toLowerCase());
  if (sealed.join() !== raws.map((r) => keccak256(r)).join())
    throw new Error(`block ${Number(b.number)} does not hold exactly the transactions sent, in order`);
  return {
    number: Number(b.number),
    timestamp: Number(b.timestamp),
    feeRecipient: b.miner.toLowerCase(),
    txs: raws.map((r) => getBytes(r)),
    hash: b.hash.toLowerCase(),
    stateRoot: b.stateRoot.toLowerCase(),
    evidence: {
      paramsVersion: 0,
      forceInclusionDelaySlots: 10,
      orderRoot: ZeroHash,
      bidsRoot: ZeroHash,
      ...evidence,
    },
  };
}

/** An Inbox the test posts to itself, over `genesis` (block 0 hash `genesisHash`); `signer` should manage its nonces. */
export async function testInbox(
  signer: Signer,
  genesis: GenesisConfig,
  genesisHash: string,
): Promise<{ address: string; inbox: Contract }> {
  const address = await deployInbox(signer, {
    poster: await signer.getAddress(),
    firstBlock: 1n,
    genesisHash,
    genesisConfig: encodeGenesis(genesis),
  });
  return { address, inbox: inboxContract(address, signer) };
}

/** Posts `blocks` as batch `seq`, with `root` as its output root (default: the honest one). */
export async function postBatch(
  inbox: Contract,
  seq: number,
  blocks: BatchBlock[],
  root?: string,
): Promise<void> {
  const data = encodeBatch(blocks, 5).data;
  const last = blocks[blocks.length - 1];
  const tx = (await inbox.appendBatch(
    seq,
    blocks[0].number,
    last.number,
    data,
    root ?? outputRoot(last),
  )) as {
    wait(): Promise<unknown>;
  };
  await tx.wait();
}
