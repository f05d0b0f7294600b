/**
 * The refunds, last in the block: one transfer from the fee recipient to each placed winner's
 * searcher whose refund is above zero, with the next nonces the book gives after the lanes
 * before. A winner whose refund the engine refuses would pay more than its price: it is dropped.
 */
import type { Wallet } from 'ethers';
import { fromHex, keccak256, toHex, type AccountBook } from '@sealane/protocol';
import type { AuctionWinner } from '../phases/clear';
import type { PlannedTx } from '../phases/record';
import type { SlotTrace } from '../trace';
import type { Lane, LanePlan } from './lane';
import type { MevLane } from './mev';

export const REFUND_GAS = 21_000n;

export interface RefundSigner {
  /** The blocks' fee recipient, which pays the refunds. */
  feeRecipient: Wallet;
  chainId: number;
}

export class RefundsLane implements Lane {
  private readonly sequencer: string | undefined;

  constructor(
    private readonly mev: Pick<MevLane, 'placed'>,
    private readonly signer: RefundSigner | undefined,
    private readonly baseFee: bigint,
    private readonly trace: SlotTrace,
  ) {
    this.sequencer = signer?.feeRecipient.address.toLowerCase();
  }

  async prepare(): Promise<string[]> {
    return this.sequencer ? [this.sequencer] : [];
  }

  reserve(): bigint {
    return BigInt(this.owed().length) * REFUND_GAS;
  }

  async plan(book: AccountBook): Promise<LanePlan> {
    const txs: PlannedTx[] = [];
    const { signer, sequencer } = this;
    if (!signer || !sequencer) return { txs, gas: 0n };
    for (const winner of this.owed()) {
      const tx = {
        from: sequencer,
        nonce: book.nextNonce(sequencer),
        to: winner.bundle.searcher,
        value: winner.refund,
        gasLimit: REFUND_GAS,
        maxFeePerGas: this.baseFee * 2n + 1n,
      };
      const raw = await signer.feeRecipient.signTransaction({
        type: 2,
        chainId: signer.chainId,
        nonce: tx.nonce,
        to: tx.to,
        value: tx.value,
        gasLimit: tx.gasLimit,
        maxFeePerGas: tx.maxFeePerGas,
        maxPriorityFeePerGas: 0n,
      });
      book.take(tx);
      txs.push({
        hash: toHex(keccak256(fromHex(raw))),
        raw,
        from: sequencer,
        role: 'refund',
        refundFor: winner.bid.bundleHash,
      });
    }
    return { txs, gas: BigInt(txs.length) * REFUND_GAS };
  }

  onRefused(tx: PlannedTx, reason: string): void {
    this.trace.drop(tx.refundFor!, 'refund-refused', `its refund was ${reason}`);
  }

  private owed(): AuctionWinner[] {
    return this.mev.placed.filter((p) => p.winner.refund > 0n).map((p) => p.winner);
  }
}
