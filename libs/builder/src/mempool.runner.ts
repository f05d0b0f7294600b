/**
 * The encrypted mempool at a slot's close and seal. At the close (the same instant the auction
 * closes: one flag fences both) the order of the slot's commitments is final; it is signed and
 * published with its reveal deadline before any key is accepted. At the seal the builder takes
 * the revealed keys, opens each commitment, and records every outcome.
 */
import type { OpenResult } from '@sealane/mempool';
import type { Params } from '@sealane/params';
import { decodeTransaction, fromHex, toHex, type DecodedTx } from '@sealane/protocol';
import type { CommitStore, PublishedOrder, StoredCommitment } from '@sealane/store';

/** The cryptography of commitments (@sealane/mempool provides it). */
export interface CommitmentCrypto {
  /** The sequencer's address, which signs receipts and orders. */
  readonly sequencer: string;
  orderRoot(slot: number, commitments: readonly string[]): string;
  /** The sequencer's signature over { slot, count, root }. */
  signOrder(order: { slot: number; count: number; root: string }): Promise<string>;
  /** Opens a commitment with its revealed key: the transaction, or why it does not open to one. */
  open(c: StoredCommitment, keyHex: string): OpenResult;
  /** Whether the commitment is sealed to its slot for the keypers (envelope v2). */
  sealedToSlot(c: StoredCommitment): boolean;
  /** A v2 commitment's key from the slot's key (decapsulation); undefined if it has none. */
  keyFromSlotKey(c: StoredCommitment, slotKey: Uint8Array): string | undefined;
}

/** The keypers, as the mempool sees them: told when an order is out, asked for the slot key. */
export interface SlotKeyPort {
  announce(slot: number): Promise<void>;
  /** The slot's key, waiting for shares until `untilMs` (Redis' clock). */
  slotKey(slot: number, untilMs: number): Promise<{ ok: true; key: Uint8Array } | { ok: false; why: string }>;
}

/** A commitment at the seal: its fee transaction, and what its key opened if one was revealed. */
export interface OpenedCommitment {
  commitment: StoredCommitment;
  position: number;
  fee: DecodedTx;
  feeRaw: string;
  /** What the revealed key opened to; undefined when no key was revealed. */
  opened?: OpenResult;
  /** The transaction it opened to (where it goes, if anywhere, is planCommittedLane's rule). */
  revealed?: { raw: string; tx: DecodedTx };
  /** Sealed to the slot, but its key could not be had from the keypers: why. */
  unkeyed?: string;
}

export class MempoolRunner {
  constructor(
    private readonly store: CommitStore,
    private readonly crypto: CommitmentCrypto,
    private readonly now: () => Promise<number>,
    private readonly keypers?: SlotKeyPort,
  ) {}

  /**
   * Keys of commitments sealed to a slot, worked out from the slot key as soon as the keypers
   * release it (during the clearing, not at the seal): commitment -> key hex, or why there is none.
   */
  private readonly early = new Map<number, Promise<{ keys: Map<string, string> } | { why: string }>>();

  private keysFromKeypers(
    slot: number,
    sealed: StoredCommitment[],
    untilMs: number,
  ): Promise<{ keys: Map<string, string> } | { why: string }> {
    return this.keypers!.slotKey(slot, untilMs).then((got) => {
      if (!got.ok) return { why: got.why };
      const keys = new Map<string, string>();
      for (const c of sealed) {
        const k = this.crypto.keyFromSlotKey(c, got.key);
        if (k) keys.set(c.commitment, k);
      }
      return { keys };
    });
  }

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
    // The keypers may release the slot's key from now on (each checks the signed order itself).
    if (this.keypers && hashes.length) {
      await this.keypers.announce(slot);
      const sealed = commitments.filter((c) => this.crypto.sealedToSlot(c));
      if (sealed.length) {
        const early = this.keysFromKeypers(slot, sealed, order.revealDeadlineMs);
        early.catch(() => undefined);
        this.early.set(slot, early);
        for (const s of this.early.keys()) if (s < slot - 8) this.early.delete(s);
      }
    }
    await Promise.all(hashes.map((h) => this.store.setStatus(h, { state: 'ordered' })));
    return { order, commitments };
  }

  /** Takes the reveals (none accepted after) and opens every commitment of the slot. */
  async open(slot: number, commitments: StoredCommitment[]): Promise<OpenedCommitment[]> {
    const keys = await this.store.closeReveals(slot);
    const sealed = commitments.filter((c) => !keys.has(c.commitment) && this.crypto.sealedToSlot(c));
    let unkeyed: string | undefined;
    if (sealed.length && this.keypers) {
      const early = this.early.get(slot);
      this.early.delete(slot);
      let got = early ? await early.catch((e: Error) => ({ why: e.message })) : undefined;
      // Not worked out at the close (a builder that took over), or not in time then: ask now.
      if (!got || 'why' in got) {
        const order = await this.store.order(slot);
        got = await this.keysFromKeypers(slot, sealed, order?.revealDeadlineMs ?? 0);
      }
      if ('keys' in got) {
        for (const [c, k] of got.keys) if (!keys.has(c)) keys.set(c, k);
      } else unkeyed = got.why;
    } else if (sealed.length) unkeyed = 'this builder does not read the keypers';
    return commitments.map((c, position) => {
      const fee = decodeTransaction(fromHex(c.feeTx), { knownSender: c.sender });
      const base = { commitment: c, position, fee, feeRaw: c.feeTx };
      const key = keys.get(c.commitment);
      if (!key) return unkeyed && sealed.includes(c) ? { ...base, unkeyed } : base;
      const opened = this.crypto.open(c, key);
      return {
        ...base,
        opened,
        ...(opened.ok ? { revealed: { raw: toHex(opened.tx.raw), tx: opened.tx } } : {}),
      };
    });
  }
}
