/**
 * Forced inclusion as derivation defines it (README, "Derivation"): the one copy of the rules
 * that the builder's forced lane follows and the replica checks.
 *
 * - A transaction forced through `Inbox.forceInclude` at L1 timestamp T arrives at the first L2
 *   block whose timestamp is at least T.
 * - Its deadline is that block plus the `forceInclusionDelaySlots` the arrival block's evidence
 *   carries. It must be in a block no later than the deadline (its hash in any block counts).
 * - Unless, at its deadline block, it cannot execute: it does not decode or recover a sender, is
 *   for another chain, asks for more gas than the block has, or fails the account check
 *   (@sealane/protocol checkAgainst) against the sender's account before the deadline block,
 *   less what the forced transactions placed before it in that block take (nonce and most cost).
 *   Such a transaction is dropped, with its code.
 */
import {
  AccountBook,
  decodeTransaction,
  SealaneError,
  type Account,
  type BookCode,
  type DecodedTx,
} from '@sealane/protocol';

/** One ForcedInclusion event of the Inbox. */
export interface ForcedTx {
  index: number;
  /** The raw signed L2 transaction, 0x hex. */
  raw: string;
  /** keccak256 of `raw`. */
  hash: string;
  /** The L1 account that called forceInclude. */
  l1Sender: string;
  /** Timestamp (seconds) and number of the L1 block the call is in. */
  l1Timestamp: number;
  l1Block: number;
}

export type ForcedRefusalCode = 'undecodable' | 'wrong-chain' | 'gas-above-block-limit' | BookCode;

export interface ForcedRefusal {
  code: ForcedRefusalCode;
  reason: string;
}

export type ForcedCheck = { ok: true; tx: DecodedTx } | { ok: false; refusal: ForcedRefusal };

/** Whether a block of timestamp `blockTimestamp` (seconds) is at or after `f`'s arrival. */
export const hasArrived = (f: Pick<ForcedTx, 'l1Timestamp'>, blockTimestamp: number): boolean =>
  blockTimestamp >= f.l1Timestamp;

/** The last block that may hold a forced transaction that arrived at block `arrival`. */
export const forcedDeadline = (arrival: number, delaySlots: number): number => arrival + delaySlots;

/** Decodes a forced transaction for `chainId`; the refusal says why it never can execute. */
export function decodeForced(raw: Uint8Array, chainId: bigint): ForcedCheck {
  try {
    return { ok: true, tx: decodeTransaction(raw, { chainId }) };
  } catch (e: unknown) {
    if (!(e instanceof SealaneError)) throw e;
    const code: ForcedRefusalCode = e.name === 'WrongChainError' ? 'wrong-chain' : 'undecodable';
    return { ok: false, refusal: { code, reason: e.message } };
  }
}

/**
 * Whether a decoded forced transaction can execute at its place: `book` holds the accounts as
 * the block stands before it (the parent state, less the forced transactions placed before).
 */
export function checkForced(tx: DecodedTx, book: AccountBook, blockGasLimit: bigint): ForcedRefusal | null {
  if (tx.gasLimit > blockGasLimit)
    return {
      code: 'gas-above-block-limit',
      reason: `gas limit ${tx.gasLimit} above the block gas limit ${blockGasLimit}`,
    };
  return book.check(tx);
}

/**
 * The check of a block at which forced transactions fall due. `placed` are the forced
 * transactions the block holds, `due` those whose deadline it is and that no block up to it
 * holds; `parent` has their senders' accounts before the block. In index order, a placed one
 * takes from the book and a due one is checked against it: one that could execute is `missed`
 * (the block breaks the rule), one that could not is `dropped` with its refusal.
 */
export function checkDeadline(
  placed: readonly ForcedTx[],
  due: readonly ForcedTx[],
  parent: ReadonlyMap<string, Account>,
  o: { chainId: bigint; baseFee: bigint; blockGasLimit: bigint },
): { missed: ForcedTx[]; dropped: { forced: ForcedTx; refusal: ForcedRefusal }[] } {
  const book = new AccountBook(parent, o.baseFee);
  const isDue = new Set(due.map((f) => f.index));
  const missed: ForcedTx[] = [];
  const dropped: { forced: ForcedTx; refusal: ForcedRefusal }[] = [];
  for (const f of [...placed, ...due].sort((a, b) => a.index - b.index)) {
    const d = decodeForced(Buffer.from(f.raw.slice(2), 'hex'), o.chainId);
    if (!isDue.has(f.index)) {
      if (d.ok) book.take(d.tx);
      continue;
    }
    const refusal = d.ok ? checkForced(d.tx, book, o.blockGasLimit) : d.refusal;
    if (refusal) dropped.push({ forced: f, refusal });
    else missed.push(f);
  }
  return { missed, dropped };
}
