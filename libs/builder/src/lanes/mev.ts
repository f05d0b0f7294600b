/**
 * The MEV lane, first in the block: the auction winners in their final order, never split. Each
 * round re-simulates them in place; one that now fails or pays less than its price is dropped
 * (the rest are checked again), and so is one whose transaction the engine refuses.
 */
import { decodeTransaction, fromHex, type AccountBook } from '@sealane/protocol';
import type { AuctionOutcome, AuctionWinner } from '../phases/clear';
import { simBundle, type BundleSimulatorPort, type SimContext } from '../ports';
import { plannedAuction, type PlannedTx, type SlotPlan } from '../phases/record';
import type { SlotTrace } from '../trace';
import type { Lane, LanePlan } from './lane';

export interface PlacedWinner {
  winner: AuctionWinner;
  gasUsed: bigint;
}

export class MevLane implements Lane {
  /** The winners placed in this round, in block order. */
  placed: PlacedWinner[] = [];

  constructor(
    private readonly simulator: BundleSimulatorPort | undefined,
    private readonly outcome: AuctionOutcome | undefined,
    private readonly ctx: SimContext,
    private readonly paramsVersion: number,
    private readonly trace: SlotTrace,
  ) {}

  async prepare(): Promise<string[]> {
    return (this.outcome?.winners ?? []).flatMap((w) => w.bid.nonces.map((n) => n.sender));
  }

  async plan(book: AccountBook): Promise<LanePlan> {
    this.placed =
      this.outcome && this.simulator ? await this.inPlace(this.simulator, this.outcome.winners) : [];
    const txs: PlannedTx[] = [];
    let gas = 0n;
    for (const { winner, gasUsed } of this.placed) {
      gas += gasUsed;
      winner.bundle.txs.forEach((raw, i) => {
        const tx = decodeTransaction(fromHex(raw), { knownSender: winner.bundle.senders?.[i] });
        // Simulated in place, not checked: the book follows what the winner takes.
        book.take(tx);
        txs.push({
          hash: winner.bundle.txHashes[i],
          raw,
          from: tx.from,
          role: 'bundle',
          bundle: winner.bid.bundleHash,
        });
      });
    }
    return { txs, gas };
  }

  onRefused(tx: PlannedTx, reason: string): void {
    this.trace.drop(tx.bundle!, 'engine-refused', reason);
  }

  giveUp(reason: string): void {
    for (const w of this.outcome?.winners ?? [])
      if (!this.trace.dropped.has(w.bid.bundleHash))
        this.trace.drop(w.bid.bundleHash, 'block-refused', reason);
  }

  record(plan: SlotPlan): void {
    if (!this.outcome) return;
    plan.auction = plannedAuction(
      this.outcome,
      this.placed.map((p) => p.winner),
      this.trace.dropped,
      this.paramsVersion,
    );
  }

  /** The winners not dropped yet, re-simulated in place until all of them hold. */
  private async inPlace(simulator: BundleSimulatorPort, winners: AuctionWinner[]): Promise<PlacedWinner[]> {
    let live = winners.filter((w) => !this.trace.dropped.has(w.bid.bundleHash));
    for (;;) {
      if (live.length === 0) return [];
      const sims = await simulator.simulateSequence(
        live.map((w) => simBundle(w.bundle)),
        this.ctx,
      );
      const bad = live.findIndex((w, i) => !sims[i].ok || sims[i].coinbaseDiff < w.price);
      if (bad < 0) return live.map((winner, i) => ({ winner, gasUsed: sims[i].totalGasUsed }));
      const s = sims[bad];
      if (s.ok)
        this.trace.drop(
          live[bad].bid.bundleHash,
          'below-price',
          `pays ${s.coinbaseDiff} in place, less than its price ${live[bad].price}`,
        );
      else
        this.trace.drop(
          live[bad].bid.bundleHash,
          'fails-in-place',
          `fails in place: ${s.error ?? 'invalid'}`,
        );
      live = live.filter((_, i) => i !== bad);
    }
  }
}
