/**
 * The encrypted mempool at a slot's close and seal. At the close (the same instant the auction
 * closes: one flag fences both) the order of the slot's commitments is final; it is signed and
 * published with its reveal deadline before any key is accepted. At the seal the builder takes
 * the revealed keys, opens each commitment, and records every outcome.
 */
import type { Params } from '@sealane/params';
import { decodeTransaction, fromHex, type DecodedTx } from '@sealane/protocol';
import type { CommitStore, PublishedOrder, StoredCommitment } from '@sealane/store';

/** The cryptography of commitments (@sealane/mempool provides it). */
export interface CommitmentCrypto {
  /** The sequencer's address, which signs receipts and orders. */
  readonly sequencer: string;
  orderRoot(slot: number, commitments: readonly string[]): string;
  /** The sequencer's signature over { slot, count, root }. */
  signOrder(order: { slot: number; count: number; root: string }): Promise<string>;
  /** Decrypts a commitment with a revealed key; the reason when it does not open to a valid transaction. */
  open(c: StoredCommitment, keyHex: string): { ok: true; raw: string } | { ok: false; reason: string };
}

/** A commitment at the seal: its fee transaction always, its own transaction when it opened. */
export interface OpenedCommitment {
  commitment: StoredCommitment;
  position: number;
  fee: DecodedTx;
  feeRaw: string;
  revealed?: { raw: string; tx: DecodedTx };
  /** Why there is no revealed transaction. */
  reason?: string;
}

export class MempoolRunner {
  constructor(
    private readonly store: CommitStore,
    private readonly crypto: CommitmentCrypto,
    private readonly now: () => Promise<number>,
  ) {}

  /** Fixes and publishes the slot's order; the slot must already be closed. */
  async close(
    slot: number,
    params: Params,
  ): Promise<{ order: PublishedOrder; commitments: StoredCommitment[] }> {
    const commitments = await this.store.read(slot);
    const hashes = commitments.map((c) => c.commitment);
    const root = this.crypto.orderRoot(slot, hashes);
    const order: PublishedOrder = {
      slot,
      count: hashes.length,
      root,
      commitments: hashes,
      revealDeadlineMs: (await this.now()) + params.revealWindowMs,
      sequencer: this.crypto.sequencer,
      signature: await this.crypto.signOrder({ slot, count: hashes.length, root }),
    };
    await this.store.publishOrder(order);
    await Promise.all(hashes.map((h) => this.store.setStatus(h, { state: 'ordered' })));
    return { order, commitments };
  }

  /** Takes the reveals (none accepted after) and opens every commitment of the slot. */
  async open(slot: number, commitments: StoredCommitment[]): Promise<OpenedCommitment[]> {
    const keys = await this.store.closeReveals(slot);
    return commitments.map((c, position) => {
      const fee = decodeTransaction(fromHex(c.feeTx), { knownSender: c.sender });
      const base = { commitment: c, position, fee, feeRaw: c.feeTx };
      const key = keys.get(c.commitment);
      if (!key) return { ...base, reason: 'not revealed' };
      const opened = this.crypto.open(c, key);
      if (!opened.ok) return { ...base, reason: opened.reason };
      const tx = decodeTransaction(fromHex(opened.raw), { knownSender: c.sender });
      if (tx.nonce !== fee.nonce + 1) {
        return {
          ...base,
          reason: `nonce ${tx.nonce} is not the fee transaction's nonce + 1 (${fee.nonce + 1})`,
        };
      }
      return { ...base, revealed: { raw: opened.raw, tx } };
    });
  }
}
