/**
 * The slot's account book: each sender's nonce and balance on the parent state (read once per
 * slot) and the block's base fee. A lane checks a transaction against the book before placing
 * it and takes what it places, so each lane sees the accounts as the lanes before it left them.
 * The one copy of "can this transaction execute here": the lanes and the auction's pre-check
 * all ask it.
 */
import { maxCost, type DecodedTx } from './transaction';

export interface Account {
  nonce: number;
  balance: bigint;
}

/** What the book needs to know of a transaction. */
export type BookTx = Pick<DecodedTx, 'from' | 'nonce' | 'gasLimit' | 'maxFeePerGas' | 'value'>;

/** Why a transaction cannot execute on an account. */
export type BookCode = 'nonce-too-low' | 'nonce-gap' | 'fee-cap-below-base-fee' | 'insufficient-funds';

export interface Refusal {
  code: BookCode;
  /** The human text, with the numbers. */
  reason: string;
}

const EMPTY: Account = { nonce: 0, balance: 0n };

/**
 * Whether `tx` can execute on `account` in a block of base fee `baseFee`. The checks go in this
 * order: a used nonce, a fee cap under the base fee, a nonce gap, then the funds (the public
 * lane lets a gapped transaction wait only if nothing else rules it out).
 */
export function checkAgainst(account: Account | undefined, tx: BookTx, baseFee: bigint): Refusal | null {
  const acc = account ?? EMPTY;
  if (tx.nonce < acc.nonce)
    return {
      code: 'nonce-too-low',
      reason: `nonce too low: next nonce is ${acc.nonce}, transaction has ${tx.nonce}`,
    };
  if (tx.maxFeePerGas < baseFee)
    return {
      code: 'fee-cap-below-base-fee',
      reason: `max fee per gas ${tx.maxFeePerGas} below the block base fee ${baseFee}`,
    };
  if (tx.nonce > acc.nonce)
    return {
      code: 'nonce-gap',
      reason: `nonce gap: next nonce is ${acc.nonce}, transaction has ${tx.nonce}`,
    };
  const cost = maxCost(tx);
  if (cost > acc.balance)
    return {
      code: 'insufficient-funds',
      reason: `insufficient funds: balance ${acc.balance} < max cost ${cost}`,
    };
  return null;
}

export class AccountBook {
  private readonly accounts: Map<string, Account>;

  /** `parent`: the accounts on the parent state; the book never changes it. */
  constructor(
    parent: ReadonlyMap<string, Account>,
    readonly baseFee: bigint,
  ) {
    this.accounts = new Map(parent);
  }

  check(tx: BookTx): Refusal | null {
    return checkAgainst(this.accounts.get(tx.from), tx, this.baseFee);
  }

  /**
   * Places `tx`: its sender's next nonce follows it and its most cost leaves the balance. A
   * transaction placed without a check (an auction winner's, simulated in place) may leave a
   * balance below zero: what it really cost is not known here.
   */
  take(tx: BookTx): void {
    const acc = this.accounts.get(tx.from) ?? EMPTY;
    this.accounts.set(tx.from, {
      nonce: Math.max(acc.nonce, tx.nonce + 1),
      balance: acc.balance - maxCost(tx),
    });
  }

  nextNonce(sender: string): number {
    return (this.accounts.get(sender) ?? EMPTY).nonce;
  }
}
