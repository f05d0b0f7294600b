import { AccountBook, checkAgainst, type BookTx } from './account-book';

const tx = (nonce: number, extra: Partial<BookTx> = {}): BookTx => ({
  from: 'a',
  nonce,
  gasLimit: 21_000n,
  maxFeePerGas: 10n,
  value: 0n,
  ...extra,
});
const COST = 210_000n;

describe('checkAgainst', () => {
  const acc = { nonce: 3, balance: COST };

  it('passes the next nonce, a fee cap at the base fee and exactly the funds it may take', () => {
    expect(checkAgainst(acc, tx(3), 10n)).toBeNull();
  });

  it('answers each refusal with its code and the numbers', () => {
    expect(checkAgainst(acc, tx(2), 1n)).toEqual({
      code: 'nonce-too-low',
      reason: 'nonce too low: next nonce is 3, transaction has 2',
    });
    expect(checkAgainst(acc, tx(5), 1n)).toEqual({
      code: 'nonce-gap',
      reason: 'nonce gap: next nonce is 3, transaction has 5',
    });
    expect(checkAgainst(acc, tx(3), 11n)).toEqual({
      code: 'fee-cap-below-base-fee',
      reason: 'max fee per gas 10 below the block base fee 11',
    });
    expect(checkAgainst(acc, tx(3, { value: 1n }), 1n)).toEqual({
      code: 'insufficient-funds',
      reason: `insufficient funds: balance ${COST} < max cost ${COST + 1n}`,
    });
  });

  it('rules out a used nonce and a low fee cap before a nonce gap, and a gap before the funds', () => {
    expect(checkAgainst(acc, tx(2, { maxFeePerGas: 0n }), 1n)?.code).toBe('nonce-too-low');
    expect(checkAgainst(acc, tx(9, { maxFeePerGas: 0n }), 1n)?.code).toBe('fee-cap-below-base-fee');
    expect(checkAgainst(acc, tx(9, { value: 10n ** 30n }), 1n)?.code).toBe('nonce-gap');
  });

  it('reads an unknown account as nonce 0 and no funds', () => {
    expect(checkAgainst(undefined, tx(0), 1n)?.code).toBe('insufficient-funds');
  });
});

describe('AccountBook', () => {
  it('takes what is placed: the next nonce follows it and its most cost leaves the balance', () => {
    const book = new AccountBook(new Map([['a', { nonce: 0, balance: 2n * COST }]]), 10n);
    expect(book.check(tx(0))).toBeNull();
    book.take(tx(0));
    expect(book.nextNonce('a')).toBe(1);
    expect(book.check(tx(0))?.code).toBe('nonce-too-low');
    book.take(tx(1));
    expect(book.check(tx(2))).toEqual({
      code: 'insufficient-funds',
      reason: `insufficient funds: balance 0 < max cost ${COST}`,
    });
  });

  it('follows an unchecked take past a gap, and never changes the parent accounts', () => {
    const parent = new Map([['a', { nonce: 0, balance: 0n }]]);
    const book = new AccountBook(parent, 10n);
    book.take(tx(4));
    expect(book.nextNonce('a')).toBe(5);
    expect(book.check(tx(5))?.reason).toBe(`insufficient funds: balance ${-COST} < max cost ${COST}`);
    expect(parent.get('a')).toEqual({ nonce: 0, balance: 0n });
    expect(book.nextNonce('b')).toBe(0);
  });
});
