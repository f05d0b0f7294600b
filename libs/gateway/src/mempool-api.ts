/**
 * The encrypted mempool's user API: sealane_getMempoolInfo, sealane_commit, sealane_getSlotOrder,
 * sealane_reveal, sealane_getCommitmentStatus, sealane_getSlotCommitments. Before its slot's order
 * is published, a commitment is a ciphertext the gateway cannot read: nothing here ever decrypts
 * before a reveal, and the key of a reveal is checked, stored and otherwise never echoed or logged
 * until the slot's block is sealed, when the slot's evidence becomes public for audits.
 */
import {
  InvalidFeeTransactionError,
  openCommitment,
  commitRequestFromJson,
  revealRequestFromJson,
  signedReceiptToJson,
  signReceipt,
  validateCommitRequest,
  type MempoolDomain,
  type SignedReceiptJson,
  type SkipReason,
} from '@sealane/mempool';
import type { Params } from '@sealane/params';
import type { ParamsStore } from '@sealane/store';
import {
  earliestSlotTimes,
  fromHex,
  InsufficientFundsError,
  InvalidCommitmentError,
  InvalidRevealError,
  NonceTooLowError,
  parseTransaction,
  SlotClosedError,
  toHex,
  withSender,
  type SignerRecovery,
} from '@sealane/protocol';
import { arity, hash32, invalidParams, type JsonRpcDispatcher } from '@sealane/rpc';
import type { CommitmentStatus, CommitStore } from '@sealane/store';
import type { Wallet } from 'ethers';
import type { EngineAccount } from '@sealane/store';
import { quantity } from './bundle-params';

/** How far ahead of the open slot a commitment may target. */
export const MAX_COMMIT_SLOTS_AHEAD = 100;
const GWEI = 10n ** 9n;

export interface MempoolApiDeps {
  chainId: bigint;
  store: CommitStore;
  params: ParamsStore;
  /** Signs receipts; its address is the fee recipient commitments pay. */
  sequencer: Wallet;
  domain: MempoolDomain;
  sealedHead(): Promise<number>;
  /** When slot `head` ended (ChainStore.slotEndMs): the next slot starts no sooner. */
  slotEndMs(head: number): Promise<number>;
  /** Recovers the fee transaction's sender, off the event loop. */
  recovery: SignerRecovery;
  /** The fee sender's nonce and balance on the L2 engine at the sealed head. */
  account(address: string): Promise<EngineAccount>;
  /** The keypers' eon public key, to seal to a slot (envelope v2); null while there is none. */
  keyperPublicKey?(): Promise<string | null>;
}

export class MempoolApi {
  /** When the sealed head's slot ended, kept until the head moves (it reads the block record). */
  private headEnd: { head: number; endMs: Promise<number> } | undefined;

  constructor(private readonly deps: MempoolApiDeps) {}

  private slotEndMs(head: number): Promise<number> {
    if (this.headEnd?.head === head) return this.headEnd.endMs;
    const endMs = this.deps.slotEndMs(head);
    this.headEnd = { head, endMs };
    // A failed read is not kept: the next call asks again.
    endMs.catch(() => {
      if (this.headEnd?.endMs === endMs) this.headEnd = undefined;
    });
    return endMs;
  }

  register(d: JsonRpcDispatcher): void {
    d.register('sealane_getMempoolInfo', () => this.info())
      .register('sealane_commit', (p) => this.commit(p))
      .register('sealane_getSlotOrder', (p) => this.slotOrder(p))
      .register('sealane_reveal', (p) => this.reveal(p))
      .register('sealane_getCommitmentStatus', (p) => this.status(p))
      .register('sealane_getSlotCommitments', (p) => this.slotCommitments(p));
  }

  private async params(slot: number): Promise<Params> {
    return (await this.deps.params.snapshot(slot)).values;
  }

  /** What a client needs to commit: where fees go, who signs, the domain, and the open slot's rules. */
  async info(): Promise<Record<string, unknown>> {
    const head = await this.deps.sealedHead();
    const open = head + 1;
    const [p, prevEndMs, keyperPublicKey] = await Promise.all([
      this.params(open),
      this.slotEndMs(head),
      this.deps.keyperPublicKey?.() ?? null,
    ]);
    return {
      openSlot: open,
      chainId: '0x' + this.deps.chainId.toString(16),
      sequencer: this.deps.sequencer.address.toLowerCase(),
      feeRecipient: this.deps.sequencer.address.toLowerCase(),
      domain: {
        name: 'Sealane Mempool',
        version: '1',
        chainId: '0x' + this.deps.domain.chainId.toString(16),
        salt: toHex(this.deps.domain.salt),
      },
      commitmentFeeWei: (BigInt(p.commitmentFeeGwei) * GWEI).toString(),
      paddingBucketMinBytes: p.paddingBucketMinBytes,
      paddingBucketMaxBytes: p.paddingBucketMaxBytes,
      revealWindowMs: p.revealWindowMs,
      commitmentsPerSenderPerSlot: p.commitmentsPerSenderPerSlot,
      keyperPublicKey,
      slotMs: p.slotMs,
      closeOffsetMs: p.auctionCloseOffsetMs,
      // The open slot closes (its order is published) and ends (its block is sealed) no sooner
      // than this; with the gateway's clock, so a client can wait without polling.
      openSlotTimes: earliestSlotTimes(prevEndMs, p.slotMs, p.auctionCloseOffsetMs),
      nowMs: Date.now(),
    };
  }

  async commit(p: unknown[]): Promise<SignedReceiptJson> {
    arity(p, 1);
    const req = commitRequestFromJson(p[0]);
    const slot = Number(req.slot);
    const head = await this.deps.sealedHead();
    if (slot <= head) throw new SlotClosedError(`slot ${slot} is already sealed (head ${head})`);
    if (slot > head + MAX_COMMIT_SLOTS_AHEAD)
      throw invalidParams(`slot ${slot} is more than ${MAX_COMMIT_SLOTS_AHEAD} slots ahead`);
    const params = await this.params(slot);
    const fee = parseTransaction(req.feeTx, { chainId: this.deps.chainId });
    const [feeSender] = await this.deps.recovery.recover([fee.signature]);
    const v = validateCommitRequest(
      req,
      {
        chainId: this.deps.chainId,
        feeRecipient: this.deps.sequencer.address,
        feeWei: BigInt(params.commitmentFeeGwei) * GWEI,
        minBytes: params.paddingBucketMinBytes,
        maxBytes: params.paddingBucketMaxBytes,
      },
      withSender(fee, feeSender),
    );
    await this.checkFeePayable(v.feeTx);
    const commitment = toHex(v.commitment);
    const position = await this.deps.store.add(
      {
        commitment,
        sender: v.sender,
        slot,
        ciphertext: toHex(v.ciphertext),
        feeTx: toHex(v.feeTx.raw),
        feeTxHash: v.feeTx.hash,
        receivedAt: Date.now(),
      },
      params.commitmentsPerSenderPerSlot,
    );
    const receipt = { slot: v.slot, position, commitment: v.commitment, sender: v.sender };
    return signedReceiptToJson({
      receipt,
      signature: signReceipt(this.deps.sequencer, receipt, this.deps.domain),
    });
  }

  /**
   * The fee transaction must be executable on the engine's state: the sender can pay its most
   * (value + gas limit x fee cap) and its nonce is the sender's next one there. Fee transactions
   * run before the public lane, so nothing else (no waiting public transaction) is counted.
   * Without it, commitments from fresh keys would be free spam.
   */
  private async checkFeePayable(fee: {
    from: string;
    nonce: number;
    value: bigint;
    gasLimit: bigint;
    maxFeePerGas: bigint;
  }): Promise<void> {
    const a = await this.deps.account(fee.from);
    const cost = fee.value + fee.gasLimit * fee.maxFeePerGas;
    if (a.balance < cost)
      throw new InsufficientFundsError(
        `insufficient funds for the fee transaction: ${fee.from} has ${a.balance} wei, it may cost ${cost}`,
        { data: { balance: a.balance.toString(), cost: cost.toString() } },
      );
    if (fee.nonce < a.nonce)
      throw new NonceTooLowError(
        `nonce too low: the fee transaction has nonce ${fee.nonce}, ${fee.from}'s next nonce is ${a.nonce}`,
        { data: { nonce: fee.nonce, next: a.nonce } },
      );
    if (fee.nonce > a.nonce)
      throw new InvalidFeeTransactionError(
        `the fee transaction has nonce ${fee.nonce}, ahead of ${fee.from}'s next nonce ${a.nonce} on the L2 engine: it could not run at the top of its slot`,
        { data: { nonce: fee.nonce, next: a.nonce } },
      );
  }

  /** The slot's order, signed, once fixed at the close; null before. */
  async slotOrder(p: unknown[]): Promise<Record<string, unknown> | null> {
    arity(p, 1);
    const slot = quantity(p[0], 'slot');
    const o = await this.deps.store.order(slot);
    if (!o) return null;
    return {
      slot: '0x' + o.slot.toString(16),
      count: '0x' + o.count.toString(16),
      root: o.root,
      signature: o.signature,
      commitments: o.commitments,
      revealDeadlineMs: o.revealDeadlineMs,
      sequencer: o.sequencer,
    };
  }

  /** Accepts a key that opens its commitment, between the published order and the deadline. */
  async reveal(p: unknown[]): Promise<{ accepted: true }> {
    arity(p, 1);
    const r = revealRequestFromJson(p[0]);
    const commitment = toHex(r.commitment);
    const s = await this.deps.store.mustStatus(commitment);
    const c = await this.deps.store.at(s.slot, s.position);
    if (!c || c.commitment !== commitment)
      throw new InvalidCommitmentError(`commitment ${commitment} is not at its position`);
    // A key that does not decrypt is refused now, so the user can send the right one; a key that
    // opens to an invalid transaction is accepted and the builder records why it is skipped.
    const opened = openCommitment(
      { sender: c.sender, slot: BigInt(c.slot), ciphertext: fromHex(c.ciphertext) },
      r.key,
      {
        chainId: this.deps.chainId,
      },
    );
    if (!opened.ok && (opened.reason === 'decryption-failed' || opened.reason === 'bad-padding')) {
      throw new InvalidRevealError(`the key does not open commitment ${commitment}`);
    }
    await this.deps.store.reveal(c.slot, commitment, toHex(r.key));
    await this.deps.store.setStatus(commitment, { state: 'revealed' });
    return { accepted: true };
  }

  /**
   * A sealed slot's commitments with their evidence, for audits: null until the slot's block is
   * sealed, so no ciphertext, fee transaction or key of an open or unsealed slot ever leaves here.
   */
  async slotCommitments(p: unknown[]): Promise<SlotCommitmentsJson | null> {
    arity(p, 1);
    const slot = quantity(p[0], 'slot');
    if ((await this.deps.sealedHead()) < slot) return null;
    const stored = await this.deps.store.read(slot);
    const keys = await this.deps.store.revealedKeys(slot);
    const statuses = await Promise.all(stored.map((c) => this.deps.store.status(c.commitment)));
    return {
      slot: '0x' + slot.toString(16),
      commitments: stored.map((c, position) => ({
        position,
        commitment: c.commitment,
        sender: c.sender,
        ciphertext: c.ciphertext,
        feeTx: c.feeTx,
        feeTxHash: c.feeTxHash,
        key: keys.get(c.commitment) ?? null,
        status: statuses[position],
        outcome: auditOutcomeOf(statuses[position]),
      })),
    };
  }

  async status(p: unknown[]): Promise<CommitmentStatus | null> {
    arity(p, 1);
    return this.deps.store.status(hash32(p[0], 'commitment'));
  }
}

/** What `sealane audit` reads of one commitment's outcome (see auditSlot's CommitmentOutcome). */
export type AuditOutcomeJson =
  | { status: 'included'; index: number; txHash: string }
  | { status: 'skipped'; code: SkipReason }
  | { status: 'not-revealed' };

/** One position of a sealed slot: everything needed to recompute, re-open and locate it. */
export interface SlotCommitmentJson {
  position: number;
  commitment: string;
  sender: string;
  ciphertext: string;
  /** The plaintext fee transaction (raw) and its hash. */
  feeTx: string;
  feeTxHash: string;
  /** The key revealed for it, or null if none was accepted. */
  key: string | null;
  /** The recorded status as sealane_getCommitmentStatus answers it. */
  status: CommitmentStatus | null;
  /** The status in the audit's terms; null when no final outcome was recorded. */
  outcome: AuditOutcomeJson | null;
}

export interface SlotCommitmentsJson {
  slot: string;
  commitments: SlotCommitmentJson[];
}

export function auditOutcomeOf(s: CommitmentStatus | null): AuditOutcomeJson | null {
  if (!s) return null;
  if (s.state === 'included' && s.index !== undefined && s.txHash !== undefined)
    return { status: 'included', index: s.index, txHash: s.txHash };
  if (s.state === 'expired') return { status: 'not-revealed' };
  // A skip recorded by an older version has no code: it reads as depending on chain state.
  if (s.state === 'skipped') return { status: 'skipped', code: s.code ?? 'execution-rejected' };
  return null;
}
