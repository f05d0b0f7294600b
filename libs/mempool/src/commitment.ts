/**
 * Commitments: what binds a ciphertext to its sender and slot, the checks a commit request must
 * pass, and the opening of a commitment once its key is revealed.
 *
 *   commitment = keccak256(abi.encode(bytes32 COMMITMENT_TAG, address sender, uint64 slot,
 *                                     bytes32 keccak256(ciphertext)))
 *
 * The fee: a commit request carries a plaintext, signed fee transaction from the sender to the fee
 * recipient whose `value` is at least the commitment fee. Only `value` counts: it is fixed when
 * signed, while priority fees depend on gas used and the base fee at execution. The fee
 * transaction is a plain transfer (no calldata, 21,000 ≤ gas limit ≤ maxFeeTxGas).
 *
 * Nonces: if the fee transaction has nonce n, the hidden transaction must have nonce n + 1. The
 * builder places, for each commitment in position order, its fee transaction and, right after
 * it, its revealed transaction (see planCommittedLane). A sender with several commitments in one
 * slot chains them: fee n, hidden n+1, fee n+2, hidden n+3, …; if one is not revealed, the later
 * fee transactions of that sender fail on the nonce gap and those commitments are skipped
 * ('fee-failed').
 */
import { decodeTransaction, keccak256, WrongChainError, type DecodedTx } from '@sealane/protocol';
import { ciphertextBucket, decryptTx, type BucketParams } from './envelope';
import { addressBytes, checkSlot, normalizeAddress, writeWord } from './encoding';
import {
  CiphertextSizeError,
  CommitmentFeeTooLowError,
  DecryptionFailedError,
  FeeRecipientMismatchError,
  FeeSenderMismatchError,
  InvalidFeeTransactionError,
  InvalidPaddingError,
  MalformedMessageError,
} from './mempool.error';
import type { SkipReason } from './skip-reason';

export const COMMITMENT_TAG: Uint8Array = keccak256(
  new TextEncoder().encode('sealane.mempool.commitment.v1'),
);
/** Gas of a plain transfer: the least a fee transaction may have. */
export const TRANSFER_GAS = 21_000n;
/** Default upper bound on a fee transaction's gas limit (room for a contract fee recipient). */
export const DEFAULT_MAX_FEE_TX_GAS = 100_000n;

/** What a commitment binds. */
export interface CommitmentInput {
  /** 0x + 20 bytes, any case. */
  sender: string;
  slot: bigint;
  ciphertext: Uint8Array;
}

/** A commit request as the gateway receives it (bytes already out of hex). */
export interface CommitRequest extends CommitmentInput {
  /** The signed raw fee transaction (EIP-2718 bytes), in the clear. */
  feeTx: Uint8Array;
}

export interface CommitRules extends BucketParams {
  /** The L2 chain id. */
  chainId: bigint;
  /** Where fee transactions must pay. */
  feeRecipient: string;
  /** Least `value` a fee transaction pays, in wei. */
  feeWei: bigint;
  /** Highest gas limit a fee transaction may have; default DEFAULT_MAX_FEE_TX_GAS. */
  maxFeeTxGas?: bigint;
}

export interface ValidatedCommit {
  /** Lowercase. */
  sender: string;
  slot: bigint;
  ciphertext: Uint8Array;
  /** Size of the padded plaintext. */
  bucket: number;
  commitment: Uint8Array;
  feeTx: DecodedTx;
  /** The nonce the hidden transaction must carry: feeTx.nonce + 1. */
  revealNonce: number;
}

/** keccak256(abi.encode(COMMITMENT_TAG, sender, uint64 slot, keccak256(ciphertext))). */
export function commitmentOf(c: CommitmentInput): Uint8Array {
  const buf = new Uint8Array(128);
  buf.set(COMMITMENT_TAG, 0);
  buf.set(addressBytes(c.sender, 'sender'), 32 + 12);
  writeWord(buf, 64, checkSlot(c.slot));
  buf.set(keccak256(c.ciphertext), 96);
  return keccak256(buf);
}

/**
 * The checks of `sealane_commit` that need no state: the ciphertext is a bucket size, and the fee
 * transaction decodes, is for this chain, comes from the sender, pays at least the fee to the fee
 * recipient and is a plain transfer. What needs state (balance, current nonce, the per-sender
 * limit, the slot still open) is the caller's.
 *
 * Throws MalformedMessageError, CiphertextSizeError, InvalidTransactionError / WrongChainError /
 * TransactionTooLargeError (from @sealane/protocol), FeeSenderMismatchError,
 * FeeRecipientMismatchError, CommitmentFeeTooLowError, InvalidFeeTransactionError.
 */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function validateCommitRequest(
  req: CommitRequest,
  rules: CommitRules,
  /**
   * The fee transaction already decoded from `req.feeTx`, sender included, when the caller
   * recovered it itself (the gateway does, off its event loop); decoded here otherwise.
   */
  decodedFeeTx?: DecodedTx,
): ValidatedCommit {
  const sender = normalizeAddress(req.sender, 'sender');
  const slot = checkSlot(req.slot);
  const feeRecipient = normalizeAddress(rules.feeRecipient, 'feeRecipient');
  if (!(req.ciphertext instanceof Uint8Array)) throw new MalformedMessageError('ciphertext must be bytes');
  if (!(req.feeTx instanceof Uint8Array)) throw new MalformedMessageError('feeTx must be bytes');
  const bucket = ciphertextBucket(req.ciphertext, rules);
  if (decodedFeeTx && !sameBytes(decodedFeeTx.raw, req.feeTx))
    throw new Error("decodedFeeTx is not the decoding of this request's fee transaction");
  const feeTx = decodedFeeTx ?? decodeTransaction(req.feeTx, { chainId: rules.chainId });
  if (feeTx.chainId !== rules.chainId)
    throw new WrongChainError(
      `fee transaction is for chain ${feeTx.chainId}, this chain is ${rules.chainId}`,
    );
  if (feeTx.from !== sender) {
    throw new FeeSenderMismatchError(
      `fee transaction is signed by ${feeTx.from}, not by the sender ${sender}`,
    );
  }
  if (feeTx.to !== feeRecipient) {
    throw new FeeRecipientMismatchError(`fee transaction must pay the fee recipient ${feeRecipient}`);
  }
  if (feeTx.value < rules.feeWei) {
    throw new CommitmentFeeTooLowError(
      `fee transaction pays ${feeTx.value} wei, the commitment fee is ${rules.feeWei}`,
      {
        data: { required: `0x${rules.feeWei.toString(16)}` },
      },
    );
  }
  if (feeTx.dataLength !== 0) throw new InvalidFeeTransactionError('fee transaction must carry no calldata');
  const maxGas = rules.maxFeeTxGas ?? DEFAULT_MAX_FEE_TX_GAS;
  if (feeTx.gasLimit < TRANSFER_GAS || feeTx.gasLimit > maxGas) {
    throw new InvalidFeeTransactionError(`fee transaction gas limit must be in [${TRANSFER_GAS}, ${maxGas}]`);
  }
  return {
    sender,
    slot,
    ciphertext: req.ciphertext,
    bucket,
    commitment: commitmentOf({ sender, slot, ciphertext: req.ciphertext }),
    feeTx,
    revealNonce: feeTx.nonce + 1,
  };
}

export type OpenResult = { ok: true; tx: DecodedTx } | { ok: false; reason: SkipReason; detail: string };

export interface OpenOptions {
  chainId: bigint;
  /** The fee transaction's nonce; when given, the hidden transaction must have this + 1. */
  feeNonce?: number;
}

/**
 * Opens a commitment with its revealed key and decodes the transaction. A reveal that cannot be
 * used is an outcome to record, not an exception: the result says which SkipReason applies.
 */
export function openCommitment(c: CommitmentInput, key: Uint8Array, opts: OpenOptions): OpenResult {
  let raw: Uint8Array;
  try {
    raw = decryptTx(c.ciphertext, key, c);
  } catch (e) {
    if (e instanceof InvalidPaddingError) return { ok: false, reason: 'bad-padding', detail: e.message };
    if (
      e instanceof DecryptionFailedError ||
      e instanceof CiphertextSizeError ||
      e instanceof MalformedMessageError
    ) {
      return { ok: false, reason: 'decryption-failed', detail: e.message };
    }
    throw e;
  }
  let tx: DecodedTx;
  try {
    tx = decodeTransaction(raw, { chainId: opts.chainId });
  } catch (e) {
    if (e instanceof WrongChainError) return { ok: false, reason: 'wrong-chain', detail: e.message };
    return { ok: false, reason: 'undecodable', detail: e instanceof Error ? e.message : 'undecodable' };
  }
  const sender = normalizeAddress(c.sender, 'sender');
  if (tx.from !== sender) {
    return { ok: false, reason: 'wrong-sender', detail: `signed by ${tx.from}, committed by ${sender}` };
  }
  if (opts.feeNonce !== undefined && tx.nonce !== opts.feeNonce + 1) {
    return {
      ok: false,
      reason: 'wrong-nonce',
      detail: `nonce ${tx.nonce}, the fee transaction has ${opts.feeNonce} so it must be ${opts.feeNonce + 1}`,
    };
  }
  return { ok: true, tx };
}

/** One commitment as the builder sees it at build time, in position order. */
export interface LaneEntry {
  position: number;
  feeTx: DecodedTx;
  /** The result of openCommitment (with feeNonce), or undefined if no key was revealed. */
  opened?: OpenResult;
}

export interface LanePlacement {
  position: number;
  /** Offset of the fee transaction in `txs`. */
  feeOffset: number;
  /** Offset of the revealed transaction, right after its fee transaction, if it is placed. */
  txOffset?: number;
  /** Set when a key was revealed but the transaction is skipped. */
  skip?: SkipReason;
  revealed: boolean;
}

export interface LanePlan {
  /** Raw transactions of the committed lane, in block order. */
  txs: Uint8Array[];
  placements: LanePlacement[];
}

/**
 * The committed lane, right after the auction winners: for each commitment in position order, its
 * fee transaction, then its revealed transaction if it opened and has the fee nonce + 1. Nothing
 * else goes between. If the engine then refuses one of these transactions, the builder drops it
 * (and, for a fee transaction, the one after it) and records 'fee-failed' / 'execution-rejected'.
 */
export function planCommittedLane(entries: readonly LaneEntry[]): LanePlan {
  const sorted = [...entries].sort((a, b) => a.position - b.position);
  const txs: Uint8Array[] = [];
  const placements: LanePlacement[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i];
    if (i > 0 && sorted[i - 1].position === e.position) {
      throw new MalformedMessageError(`two lane entries at position ${e.position}`);
    }
    const p: LanePlacement = {
      position: e.position,
      feeOffset: txs.length,
      revealed: e.opened !== undefined,
    };
    txs.push(e.feeTx.raw);
    if (e.opened?.ok) {
      if (e.opened.tx.nonce !== e.feeTx.nonce + 1) p.skip = 'wrong-nonce';
      else {
        p.txOffset = txs.length;
        txs.push(e.opened.tx.raw);
      }
    } else if (e.opened) {
      p.skip = e.opened.reason;
    }
    placements.push(p);
  }
  return { txs, placements };
}
