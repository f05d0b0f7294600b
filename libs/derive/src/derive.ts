/**
 * The derivation rules (README, "Derivation"), applied batch by batch on an engine that started
 * from the published genesis: a batch must follow the previous one, chain the accumulator,
 * decode, carry the output root of its last block; its blocks must keep time, bound their
 * evidence, include every forced transaction by its deadline, and re-execute to exactly the
 * hash and state root they claim. The first block that breaks a rule is the divergence, and
 * derivation stops there.
 */
import { concat, keccak256, ZeroHash } from 'ethers';
import { outputRoot, type BatchBlock } from '@sealane/batch';
import { replayBlock, type EngineBlock, type L2Engine } from '@sealane/engine';
import { PARAM_DEFS } from '@sealane/params';
import { decodeTransaction, type Account } from '@sealane/protocol';
import { checkDeadline, forcedDeadline, hasArrived, type ForcedTx } from './forced';
import type { L1Batch } from './l1-source';

export interface Divergence {
  /** The first block that breaks a rule (for a batch-level rule, the batch's first block). */
  block: number;
  batch: number;
  reason: string;
}

/** A forced transaction as derivation tracks it. */
export interface TrackedForced extends ForcedTx {
  arrival?: number;
  deadline?: number;
  /** The block that holds it, or where it was dropped as unable to execute. */
  includedAt?: number;
  droppedAt?: number;
  dropReason?: string;
}

export interface DeriveOptions {
  chainId: bigint;
  /** The block the first batch must start with (1: block 0 is genesis). */
  firstBlock?: number;
  /** A further check of each block, after it re-executed: a reason breaks derivation there. */
  checkBlock?: (
    block: BatchBlock,
    ctx: { batch: L1Batch; sealed: EngineBlock; forced: ReadonlySet<string> },
  ) => Promise<string | null>;
}

export class Deriver {
  nextSeq = 0;
  nextBlock: number;
  accumulator = ZeroHash;
  blocks = 0;
  transactions = 0;
  private lastTimestamp = 0;
  private lastParamsVersion = 0;
  private readonly forced = new Map<number, TrackedForced>();

  constructor(
    private readonly engine: L2Engine,
    private readonly o: DeriveOptions,
  ) {
    this.nextBlock = o.firstBlock ?? 1;
  }

  /** Forced transactions queued on L1 (any order, repeats ignored). */
  addForced(txs: readonly ForcedTx[]): void {
    for (const f of txs) if (!this.forced.has(f.index)) this.forced.set(f.index, { ...f });
  }

  forcedTxs(): TrackedForced[] {
    return [...this.forced.values()].sort((a, b) => a.index - b.index);
  }

  /** Applies one batch; the first divergence, or null when every rule holds. */
  async apply(b: L1Batch): Promise<Divergence | null> {
    const at = (block: number, reason: string): Divergence => ({ block, batch: b.seq, reason });
    const head = at(b.firstBlock, '');
    if (b.seq !== this.nextSeq)
      return { ...head, reason: `batch ${b.seq} where batch ${this.nextSeq} is next` };
    if (b.firstBlock !== this.nextBlock || b.lastBlock < b.firstBlock) {
      return {
        ...head,
        reason: `batch ${b.seq} covers ${b.firstBlock}..${b.lastBlock}, not from ${this.nextBlock}`,
      };
    }
    const acc = keccak256(concat([this.accumulator, b.dataHash]));
    if (acc !== b.accumulator) return { ...head, reason: `batch ${b.seq}: the accumulator does not chain` };
    if (!b.blocks || !b.call) return { ...head, reason: `batch ${b.seq}: ${b.problem ?? 'no batch data'}` };
    if (keccak256(b.call.data) !== b.dataHash)
      return { ...head, reason: `batch ${b.seq}: data hash differs` };
    const first = b.blocks[0].number;
    const last = b.blocks[b.blocks.length - 1];
    if (first !== b.firstBlock || last.number !== b.lastBlock) {
      return {
        ...head,
        reason: `batch ${b.seq} holds blocks ${first}..${last.number}, its event says ${b.firstBlock}..${b.lastBlock}`,
      };
    }
    const root = outputRoot(last);
    if (b.outputRoot !== root || b.call.outputRoot !== root) {
      return at(
        last.number,
        `batch ${b.seq}: output root ${b.outputRoot} is not that of block ${last.number} (${root})`,
      );
    }
    for (const block of b.blocks) {
      const why = await this.applyBlock(block, b);
      if (why) return at(block.number, why);
    }
    this.accumulator = acc;
    this.nextSeq = b.seq + 1;
    this.nextBlock = b.lastBlock + 1;
    return null;
  }

  private async applyBlock(block: BatchBlock, batch: L1Batch): Promise<string | null> {
    const e = block.evidence;
    if (block.timestamp < this.lastTimestamp)
      return `timestamp ${block.timestamp} is before its parent's ${this.lastTimestamp}`;
    if (block.timestamp > batch.l1Timestamp)
      return `timestamp ${block.timestamp} is after the L1 block that posted it (${batch.l1Timestamp})`;
    if (e.forceInclusionDelaySlots > PARAM_DEFS.forceInclusionDelaySlots.max)
      return `forceInclusionDelaySlots ${e.forceInclusionDelaySlots} is above the protocol's ${PARAM_DEFS.forceInclusionDelaySlots.max}`;
    if (e.paramsVersion < this.lastParamsVersion)
      return `parameters version ${e.paramsVersion} is below the previous block's ${this.lastParamsVersion}`;

    for (const f of this.forced.values()) {
      if (f.arrival === undefined && hasArrived(f, block.timestamp)) {
        f.arrival = block.number;
        f.deadline = forcedDeadline(block.number, e.forceInclusionDelaySlots);
      }
    }
    const due = [...this.forced.values()].filter((f) => f.deadline === block.number && !this.resolved(f));
    const parent = await this.accountsOf(due);
    const res = await replayBlock(this.engine, {
      number: block.number,
      timestamp: block.timestamp,
      feeRecipient: block.feeRecipient,
      txs: block.txs.map((t) => '0x' + Buffer.from(t).toString('hex')),
      hash: block.hash,
      stateRoot: block.stateRoot,
    });
    if (!res.ok) return res.reason;
    const hashes = new Set(res.block.transactions.map((h) => h.toLowerCase()));
    const placed: ForcedTx[] = [];
    for (const f of this.forced.values()) {
      if (!this.resolved(f) && hashes.has(f.hash)) {
        f.includedAt = block.number;
        placed.push(f);
      }
    }
    const stillDue = due.filter((f) => f.includedAt === undefined);
    if (stillDue.length) {
      const { missed, dropped } = checkDeadline(placed, stillDue, parent, {
        chainId: this.o.chainId,
        baseFee: BigInt(res.block.baseFeePerGas ?? 0),
        blockGasLimit: BigInt(res.block.gasLimit),
      });
      for (const d of dropped) {
        const t = this.forced.get(d.forced.index)!;
        t.droppedAt = block.number;
        t.dropReason = `${d.refusal.code}: ${d.refusal.reason}`;
      }
      if (missed.length) {
        const m = missed[0];
        return `forced transaction #${m.index} (${m.hash}) was due by block ${block.number} and is not in the chain`;
      }
    }
    const forcedHashes = new Set([...this.forced.values()].map((f) => f.hash));
    const why =
      (await this.o.checkBlock?.(block, { batch, sealed: res.block, forced: forcedHashes })) ?? null;
    if (why) return why;
    this.lastTimestamp = block.timestamp;
    this.lastParamsVersion = e.paramsVersion;
    this.blocks++;
    this.transactions += block.txs.length;
    return null;
  }

  private resolved(f: TrackedForced): boolean {
    return f.includedAt !== undefined || f.droppedAt !== undefined;
  }

  /** The accounts on the engine's head of the senders of `txs` (undecodable ones have none). */
  private async accountsOf(txs: readonly ForcedTx[]): Promise<Map<string, Account>> {
    const senders = new Set<string>();
    for (const f of txs) {
      try {
        senders.add(decodeTransaction(Buffer.from(f.raw.slice(2), 'hex')).from);
      } catch {
        /* checkDeadline drops it as undecodable */
      }
    }
    const list = [...senders];
    const res = await this.engine.batch(
      list.flatMap((a) => [
        ['eth_getTransactionCount', [a, 'latest']] as [string, unknown[]],
        ['eth_getBalance', [a, 'latest']] as [string, unknown[]],
      ]),
    );
    const out = new Map<string, Account>();
    list.forEach((a, i) => {
      const n = res[2 * i];
      const b = res[2 * i + 1];
      if (!n.ok) throw n.error;
      if (!b.ok) throw b.error;
      out.set(a, { nonce: Number(n.result), balance: BigInt(b.result as string) });
    });
    return out;
  }
}
