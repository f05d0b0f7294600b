/**
 * Re-execution speed, in one run on the same blocks: the sequencer's sealing (its engine work
 * per block: the block's transactions submitted in order, mined, read back) against a replica
 * deriving the same chain from L1 alone (reading the Inbox, decoding, every rule, re-executing,
 * checking hash and state root), and an engine rebuild from the sequencer's records
 * (replayBlock per block, as the builder's rebuild phase runs it; its Redis reads left out).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, NonceManager, Wallet, ZeroHash } from 'ethers';
import { encodeBatch, outputRoot, selectBatch, type BatchBlock } from '@sealane/batch';
import { DEV_KEYS } from '@sealane/config';
import { deployInbox, inboxContract } from '@sealane/contracts';
import { Replica } from '@sealane/derive';
import { startAnvil } from '@sealane/embedded';
import {
  anvilGenesisArgs,
  devGenesis,
  encodeGenesis,
  gethGenesisJson,
  L2Engine,
  replayBlock,
  submitOrdered,
} from '@sealane/engine';
import { L2_CHAIN_ID, now, progress, TransferSigner, type Row } from './support';

const BLOCKS = 1000;
const TXS_PER_BLOCK = 10;

export async function benchDerive(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sealane-bench-derive-'));
  const genesis = devGenesis({
    chainId: L2_CHAIN_ID,
    gasLimit: 30_000_000,
    timestamp: Math.floor(Date.now() / 1000) - 2 * BLOCKS,
  });
  const file = join(dir, 'genesis.json');
  writeFileSync(file, gethGenesisJson(genesis));
  const stops: (() => Promise<void>)[] = [];
  try {
    const l1Started = await startAnvil('anvil-l1', dir, ['--chain-id', '31337']);
    stops.push(() => l1Started.proc.stop());
    const start = async (name: string) => {
      const s = await startAnvil(name, dir, anvilGenesisArgs(file));
      const engine = new L2Engine(s.url);
      stops.push(async () => {
        await engine.close();
        await s.proc.stop();
      });
      return engine;
    };
    const sequencer = await start('anvil-sequencer');
    const signer = new TransferSigner();
    const blocks: BatchBlock[] = [];
    progress(`derive: sealing ${BLOCKS} blocks of ${TXS_PER_BLOCK} transfers`);
    let sealMs = 0;
    for (let n = 1; n <= BLOCKS; n++) {
      const raws = signer.sign(TXS_PER_BLOCK).map((t) => t.raw);
      const t0 = now();
      await submitOrdered(sequencer, raws);
      await sequencer.mine(genesis.timestamp + n);
      const b = (await sequencer.getBlock(n))!;
      sealMs += now() - t0;
      blocks.push({
        number: n,
        timestamp: Number(b.timestamp),
        feeRecipient: b.miner.toLowerCase(),
        txs: raws.map((r) => Buffer.from(r.slice(2), 'hex')),
        hash: b.hash.toLowerCase(),
        stateRoot: b.stateRoot.toLowerCase(),
        evidence: { paramsVersion: 0, forceInclusionDelaySlots: 10, orderRoot: ZeroHash, bidsRoot: ZeroHash },
      });
    }

    // Post them to an Inbox in batches of at most 100 KB, as the poster would.
    const l1 = new JsonRpcProvider(l1Started.url, undefined, { staticNetwork: true, pollingInterval: 50 });
    stops.push(async () => l1.destroy());
    const poster = new NonceManager(new Wallet(DEV_KEYS[0], l1));
    const inboxAddress = await deployInbox(poster, {
      poster: await poster.getAddress(),
      firstBlock: 1n,
      genesisHash: (await sequencer.getBlock(0))!.hash,
      genesisConfig: encodeGenesis(genesis),
    });
    const inbox = inboxContract(inboxAddress, poster);
    let seq = 0;
    for (let i = 0; i < blocks.length;) {
      const pending = blocks.slice(i, i + 400).map((b) => ({ ...b, startMs: 0 }));
      const sel = selectBatch(pending, { maxBytes: 100_000, maxDelayMs: 0, nowMs: 0, level: 5 });
      const data = encodeBatch(sel.blocks, 5).data;
      const last = sel.blocks[sel.blocks.length - 1];
      await (
        await inbox.appendBatch(seq++, sel.blocks[0].number, last.number, data, outputRoot(last))
      ).wait();
      i += sel.blocks.length;
    }
    progress(`derive: ${seq} batches posted; deriving from L1`);

    const replica = await Replica.start({ l1RpcUrl: l1Started.url, inboxAddress, dataDir: dir });
    stops.push(() => replica.stop());
    const t1 = now();
    const report = await replica.step();
    const deriveMs = now() - t1;
    if (!report.ok || report.blocks !== BLOCKS)
      throw new Error(`the replica did not derive the chain: ${JSON.stringify(report.divergence)}`);

    progress('derive: rebuilding a fresh engine from the records');
    const fresh = await start('anvil-rebuild');
    const t2 = now();
    for (const b of blocks) {
      const r = await replayBlock(fresh, {
        ...b,
        txs: b.txs.map((t) => '0x' + Buffer.from(t).toString('hex')),
      });
      if (!r.ok) throw new Error(`rebuild: block ${b.number}: ${r.reason}`);
    }
    const rebuildMs = now() - t2;

    const txs = BLOCKS * TXS_PER_BLOCK;
    const per = (ms: number) =>
      `${BLOCKS} blocks x ${TXS_PER_BLOCK} transfers in ${(ms / 1000).toFixed(1)} s`;
    return [
      {
        name: 'sequencer sealing (engine work)',
        value: BLOCKS / (sealMs / 1000),
        unit: 'blocks/s',
        note: `${(txs / (sealMs / 1000)).toFixed(0)} tx/s; ${per(sealMs)}`,
      },
      {
        name: 'replica derivation from L1',
        value: BLOCKS / (deriveMs / 1000),
        unit: 'blocks/s',
        note: `${(txs / (deriveMs / 1000)).toFixed(0)} tx/s; ${seq} batches, every rule, hash and state root checked`,
      },
      {
        name: 'replica / sequencer speed',
        value: sealMs / deriveMs,
        unit: 'x',
        note: 'same blocks, same run',
      },
      {
        name: 'engine rebuild per 1,000 blocks',
        value: (rebuildMs * 1000) / BLOCKS,
        unit: 'ms',
        note: `${(txs / (rebuildMs / 1000)).toFixed(0)} tx/s; replayBlock from records (Redis reads not counted)`,
      },
    ];
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
