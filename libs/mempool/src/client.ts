/**
 * The pure steps of the SDK's one-call flow. The I/O around them is the caller's:
 *
 *   const p = prepareCommit({ signedTx, feeTx, sender, slot, params })   // encrypt, check, commit id
 *   const signed = await rpc('sealane_commit', commitRequestToJson(p.request))
 *   checkCommitReceipt(p, signedReceiptFromJson(signed), trust)          // before waiting
 *   const { signed: order, commitments } = signedSlotOrderFromJson(await rpc('sealane_getSlotOrder', slot))
 *   checkPublishedOrder(receipt, order, proof, trust)                    // only then reveal
 *   await rpc('sealane_reveal', revealRequestToJson(revealRequestOf(p)))
 *
 * The key must not leave the SDK before checkPublishedOrder passed: if it fails, the receipt and
 * the order are the proof, and revealing would only hand over the transaction.
 */
import { decodeTransaction, keccak256, WrongChainError, type DecodedTx } from '@sealane/protocol';
import { commitmentOf, validateCommitRequest, type CommitRequest, type CommitRules } from './commitment';
import { equalBytes, normalizeAddress } from './encoding';
import { encapsulate } from '@sealane/threshold';
import { encryptTx, encryptTxToSlot, generateKey } from './envelope';
import { OrderMismatchError, ReceiptMismatchError, RevealRejectedError } from './mempool.error';
import { checkReceiptAgainstOrder } from './order';
import {
  verifyReceipt,
  verifySlotOrder,
  type CommitReceipt,
  type MempoolDomain,
  type SignedReceipt,
  type SignedSlotOrder,
} from './signatures';

export interface PrepareCommitInput {
  /** The signed raw transaction to hide; its nonce must be the fee transaction's + 1. */
  signedTx: Uint8Array;
  /** The signed raw fee transaction, sent in the clear. */
  feeTx: Uint8Array;
  sender: string;
  slot: bigint;
  params: CommitRules;
  /** Defaults to a fresh random key. Never reuse one. */
  key?: Uint8Array;
  /**
   * Seal to the slot for the keypers (envelope v2) under the keyper set's public key (48 bytes):
   * they release the slot's key after its order is published, so the user need not reveal.
   */
  keyperPublicKey?: Uint8Array;
}

export interface PreparedCommit {
  request: CommitRequest;
  /**
   * Secret until the order is published and checked. With keypers, the key their slot key
   * yields: the user may still reveal it itself if the keypers fail.
   */
  key: Uint8Array;
  commitment: Uint8Array;
  /** keccak256 of the hidden transaction: how to find it in the block later. */
  txHash: Uint8Array;
}

/** Who the SDK trusts to sign receipts and orders. */
export interface SequencerTrust {
  sequencer: string;
  domain: MempoolDomain;
}

/**
 * Encrypts the transaction for (sender, slot) and runs every check the gateway and builder will
 * run, so a user never pays a fee for a commitment that is bound to be refused or skipped.
 * Throws what validateCommitRequest throws, PlaintextTooLargeError, or RevealRejectedError
 * (reason 'undecodable' | 'wrong-chain' | 'wrong-sender' | 'wrong-nonce') for the hidden
 * transaction.
 */
export function prepareCommit(input: PrepareCommitInput): PreparedCommit {
  const sender = normalizeAddress(input.sender, 'sender');
  const { params } = input;
  let hidden: DecodedTx;
  try {
    hidden = decodeTransaction(input.signedTx, { chainId: params.chainId });
  } catch (e) {
    const reason = e instanceof WrongChainError ? 'wrong-chain' : 'undecodable';
    throw new RevealRejectedError(
      reason,
      `the transaction to hide: ${e instanceof Error ? e.message : 'undecodable'}`,
      { cause: e },
    );
  }
  if (hidden.from !== sender) {
    throw new RevealRejectedError(
      'wrong-sender',
      `the transaction to hide is signed by ${hidden.from}, not ${sender}`,
    );
  }
  const opts = { sender, slot: input.slot, ...params };
  let key: Uint8Array;
  let ciphertext: Uint8Array;
  if (input.keyperPublicKey) {
    const kem = encapsulate(input.keyperPublicKey, params.chainId, input.slot);
    key = kem.key;
    ciphertext = encryptTxToSlot(input.signedTx, kem, opts);
  } else {
    key = input.key ?? generateKey();
    ciphertext = encryptTx(input.signedTx, key, opts);
  }
  const request: CommitRequest = { sender, slot: input.slot, ciphertext, feeTx: input.feeTx };
  const validated = validateCommitRequest(request, params);
  if (hidden.nonce !== validated.revealNonce) {
    throw new RevealRejectedError(
      'wrong-nonce',
      `the transaction to hide has nonce ${hidden.nonce}; after a fee transaction with nonce ${validated.feeTx.nonce} it must be ${validated.revealNonce}`,
    );
  }
  return { request, key, commitment: validated.commitment, txHash: keccak256(input.signedTx) };
}

/**
 * The receipt must be signed by the sequencer in this domain and name this commitment, sender and
 * slot. Returns the receipt; throws ReceiptMismatchError.
 */
export function checkCommitReceipt(
  prepared: PreparedCommit,
  signed: SignedReceipt,
  trust: SequencerTrust,
): CommitReceipt {
  const r = signed.receipt;
  if (!verifyReceipt(r, signed.signature, trust.sequencer, trust.domain)) {
    throw new ReceiptMismatchError('the receipt is not signed by the sequencer in this domain');
  }
  const { sender, slot, ciphertext } = prepared.request;
  if (r.slot !== slot)
    throw new ReceiptMismatchError(`the receipt is for slot ${r.slot}, the commit for ${slot}`);
  if (normalizeAddress(r.sender) !== normalizeAddress(sender)) {
    throw new ReceiptMismatchError(`the receipt names sender ${r.sender}`);
  }
  if (!equalBytes(r.commitment, commitmentOf({ sender, slot, ciphertext }))) {
    throw new ReceiptMismatchError('the receipt names another commitment');
  }
  return r;
}

/**
 * The published order must be signed by the sequencer and hold the receipt's commitment at the
 * receipted position (`proof` from the order's Merkle tree, e.g. orderTree(slot, list).proof(pos)).
 * Throws OrderMismatchError, whose data carries the problem; then keep the receipt and the order
 * as proof and do not reveal.
 */
export function checkPublishedOrder(
  receipt: CommitReceipt,
  order: SignedSlotOrder,
  proof: readonly Uint8Array[],
  trust: SequencerTrust,
): void {
  if (!verifySlotOrder(order.order, order.signature, trust.sequencer, trust.domain)) {
    throw new OrderMismatchError('the slot order is not signed by the sequencer in this domain', {
      data: { problem: 'bad-signature' },
    });
  }
  const problem = checkReceiptAgainstOrder(receipt, order.order, proof);
  if (problem) {
    throw new OrderMismatchError(`the published order does not hold the receipted commitment: ${problem}`, {
      data: { problem },
    });
  }
}

export interface RevealRequest {
  commitment: Uint8Array;
  key: Uint8Array;
}

export function revealRequestOf(prepared: PreparedCommit): RevealRequest {
  return { commitment: prepared.commitment, key: prepared.key };
}
