/**
 * What `auditSlot` takes and gives: the sequencer's published outcome of each commitment, the
 * audit's input, and the report with its violations, each naming the evidence that shows it.
 */
import type { SkipReason } from './skip-reason';
import type { MempoolDomain, SignedReceipt, SignedSlotOrder } from './signatures';

/**
 * What the sequencer publishes about one commitment after the slot. The evidence fields are public
 * once the slot is built (the key is no secret after its reveal): the sender and ciphertext let
 * anyone recompute the commitment, the key lets anyone re-open it, the fee transaction locates it.
 */
interface OutcomeBase {
  position: number;
  commitment: Uint8Array;
  sender?: string;
  ciphertext?: Uint8Array;
  key?: Uint8Array;
  /** Raw signed fee transaction. */
  feeTx?: Uint8Array;
}

export type CommitmentOutcome =
  | (OutcomeBase & { status: 'included'; index: number; txHash: Uint8Array })
  | (OutcomeBase & { status: 'skipped'; reason: SkipReason })
  | (OutcomeBase & { status: 'not-revealed' });

export interface AuditInput {
  /** The sequencer's address (lowercase or checksummed). */
  sequencer: string;
  domain: MempoolDomain;
  order: SignedSlotOrder;
  /** The published commitments in position order; must match the signed root. */
  commitments: readonly Uint8Array[];
  receipts: readonly SignedReceipt[];
  block: { txHashes: readonly Uint8Array[] };
  outcomes: readonly CommitmentOutcome[];
  /** The auction winners' transaction hashes, when known: the lane must start right after them. */
  topOfBlock?: readonly Uint8Array[];
}

export type ViolationKind =
  /** A signed receipt and the signed order disagree on what stands at a position. */
  | 'receipt-not-in-order'
  /** A position of the order without a recorded outcome. */
  | 'missing-outcome'
  /** An outcome for no position, for another commitment than the order's, or a second one. */
  | 'outcome-mismatch'
  /** Recorded as included, but the block does not hold that transaction at that index. */
  | 'included-tx-missing'
  /** Two commitments' transactions stand in the block against their position order. */
  | 'out-of-order'
  /** An included transaction does not stand right after its fee transaction. */
  | 'fee-misplaced'
  /** A fee transaction that must have been executed is not in the block. */
  | 'fee-missing'
  /** A transaction of no commitment stands inside the committed lane. */
  | 'foreign-tx-in-lane'
  /** The committed lane does not start right after the auction winners. */
  | 'lane-displaced'
  /** A skip whose reason the published evidence does not bear out (or no evidence for it). */
  | 'unjustified-skip'
  /** Published evidence that contradicts the commitment or the recorded outcome. */
  | 'bad-evidence';

export interface AuditEvidence {
  blockIndex?: number;
  blockTxHash?: Uint8Array;
  expectedTxHash?: Uint8Array;
  orderCommitment?: Uint8Array;
  otherPosition?: number;
  otherReceipt?: SignedReceipt;
  otherBlockIndex?: number;
  claimedReason?: SkipReason;
  /** What re-opening the commitment gave: a reason, or 'opens' for a usable transaction. */
  actualReason?: SkipReason | 'opens';
}

export interface Violation {
  kind: ViolationKind;
  position?: number;
  commitment?: Uint8Array;
  /** The signed receipt for this position, when the auditor holds one. */
  receipt?: SignedReceipt;
  detail: string;
  evidence: AuditEvidence;
}

export interface AuditReport {
  slot: bigint;
  ok: boolean;
  violations: Violation[];
  /** Receipts that prove nothing here: not signed by the sequencer, or for another slot. */
  rejectedReceipts: { signed: SignedReceipt; why: 'bad-signature' | 'other-slot' }[];
  /** Skips whose reason depends on chain state at execution and cannot be re-checked offline. */
  unverified: { position: number; reason: SkipReason }[];
  /** Checks that could not run for lack of evidence. */
  notes: string[];
  order: SignedSlotOrder;
}
