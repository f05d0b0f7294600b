/**
 * Decoding of signed raw transactions (legacy, EIP-2930, EIP-1559) with ethers, and sender
 * recovery through the native backend. Pure: no I/O.
 */
import { Transaction } from 'ethers';
import { InvalidTransactionError, TransactionTooLargeError, WrongChainError } from './errors';
import { fromHex, keccak256, toHex } from './hash';
import { recoverSigner, type RecoveryBackend } from './recover';

/** Geth's txpool limit for one transaction. */
export const MAX_TX_BYTES = 128 * 1024;
const SUPPORTED_TYPES = new Set([0, 1, 2]);

export interface DecodedTx {
  raw: Uint8Array;
  /** 0x-prefixed keccak256 of the raw bytes. */
  hash: string;
  /** Lowercase 0x address recovered from the signature. */
  from: string;
  to: string | null;
  nonce: number;
  type: number;
  chainId: bigint;
  gasLimit: bigint;
  /** maxFeePerGas for EIP-1559, gasPrice otherwise. */
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  value: bigint;
  dataLength: number;
}

export interface DecodeOptions {
  /** When set, a transaction for another chain (or a pre-EIP-155 one) is rejected. */
  chainId?: bigint;
  backend?: RecoveryBackend;
  /** A sender already recovered and stored by Sealane itself: skips the recovery. */
  knownSender?: string;
}

export function decodeTransaction(raw: Uint8Array, opts: DecodeOptions = {}): DecodedTx {
  if (raw.length === 0) throw new InvalidTransactionError('empty transaction');
  if (raw.length > MAX_TX_BYTES) {
    throw new TransactionTooLargeError(`transaction is ${raw.length} bytes, the limit is ${MAX_TX_BYTES}`);
  }
  let tx: Transaction;
  try {
    tx = Transaction.from(toHex(raw));
  } catch (e) {
    throw new InvalidTransactionError('transaction could not be decoded', { cause: e });
  }
  if (!SUPPORTED_TYPES.has(tx.type ?? -1))
    throw new InvalidTransactionError(`transaction type ${tx.type} is not supported`);
  const sig = tx.signature;
  if (!sig) throw new InvalidTransactionError('transaction is not signed');
  if (opts.chainId !== undefined && tx.chainId !== opts.chainId) {
    throw new WrongChainError(`transaction is for chain ${tx.chainId}, this chain is ${opts.chainId}`);
  }
  let from: string;
  try {
    from =
      opts.knownSender ??
      recoverSigner(fromHex(tx.unsignedHash), fromHex(sig.r), fromHex(sig.s), sig.yParity, opts.backend);
  } catch (e) {
    throw new InvalidTransactionError('signature does not recover to a sender', { cause: e });
  }
  const isDynamic = tx.type === 2;
  return {
    raw,
    hash: toHex(keccak256(raw)),
    from,
    to: tx.to ? tx.to.toLowerCase() : null,
    nonce: tx.nonce,
    type: tx.type ?? 0,
    chainId: tx.chainId,
    gasLimit: tx.gasLimit,
    maxFeePerGas: (isDynamic ? tx.maxFeePerGas : tx.gasPrice) ?? 0n,
    maxPriorityFeePerGas: (isDynamic ? tx.maxPriorityFeePerGas : tx.gasPrice) ?? 0n,
    value: tx.value,
    dataLength: (tx.data.length - 2) / 2,
  };
}

/** The most a transaction can cost its sender: gasLimit * maxFee + value. */
export function maxCost(tx: Pick<DecodedTx, 'gasLimit' | 'maxFeePerGas' | 'value'>): bigint {
  return tx.gasLimit * tx.maxFeePerGas + tx.value;
}
