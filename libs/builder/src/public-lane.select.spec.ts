import { AccountBook, type Account } from '@sealane/protocol';
import { selectPublic as selectOn, type Candidate } from './public-lane.select';

let n = 0;
function c(from: string, nonce: number, extra: Partial<Candidate> = {}): Candidate {
  n++;
  return {
    hash: `0x${n.toString(16).padStart(64, '0')}`,
    from,
    raw: '0x',
    nonce,
    gasLimit: 21000n,
    maxFeePerGas: 10n,
    value: 0n,
    ...extra,
  };
}
const rich = (nonce = 0): Account => ({ nonce, balance: 10n ** 18n });
const opts = { gasBudget: 30_000_000n, baseFee: 1n, maxTxs: 1000 };
/** selectPublic over a book of `accounts` at the options' base fee. */
const selectPublic = (txs: Candidate[], accounts: Map<string, Account>, o: typeof opts) =>
  selectOn(txs, new AccountBook(accounts, o.baseFee), o);

describe('selectPublic', () => {
  it('keeps arrival order across senders', () => {
    const txs = [c('a', 0), c('b', 0), c('a', 1), c('c', 0)];
    const s = selectPublic(
      txs,
      new Map([
        ['a', rich()],
        ['b', rich()],
        ['c', rich()],
      ]),
      opts,
    );
    expect(s.included).toEqual(txs);
    expect(s.skipped).toEqual([]);
  });

  it('holds a transaction back until its nonce gap is filled, then places it after the filler', () => {
    const a1 = c('a', 1);
    const b0 = c('b', 0);
    const a0 = c('a', 0);
    const s = selectPublic(
      [a1, b0, a0],
      new Map([
        ['a', rich()],
        ['b', rich()],
      ]),
      opts,
    );
    expect(s.included).toEqual([b0, a0, a1]);
  });

  it('defers a transaction whose gap is never filled', () => {
    const a2 = c('a', 2);
    const s = selectPublic([a2], new Map([['a', rich()]]), opts);
    expect(s.included).toEqual([]);
    expect(s.deferred).toEqual([a2]);
  });

  it('keeps a gapped transaction waiting, never skipped, for as long as its gap is open', () => {
    const a2 = c('a', 2);
    const b0 = c('b', 0);
    const a0 = c('a', 0);
    const accounts = new Map([
      ['a', rich()],
      ['b', rich()],
    ]);
    // Slot after slot with other senders' traffic, and with the gap only partly filled.
    const first = selectPublic([a2, b0], accounts, opts);
    expect(first).toEqual({ included: [b0], skipped: [], deferred: [a2] });
    const second = selectPublic([a2, a0], accounts, opts);
    expect(second).toEqual({ included: [a0], skipped: [], deferred: [a2] });
    // The gap fills outside the lane (a bundle took nonce 1): the waiting one goes in.
    const third = selectPublic([a2], new Map([['a', rich(2)]]), opts);
    expect(third).toEqual({ included: [a2], skipped: [], deferred: [] });
  });

  it('skips a stale nonce, a duplicate nonce, a fee cap under the base fee and an unaffordable transaction', () => {
    const stale = c('a', 0);
    const cheap = c('b', 0, { maxFeePerGas: 0n });
    const poor = c('p', 0, { value: 10n ** 30n });
    const w1 = c('d', 1);
    const w1again = c('d', 1);
    const s = selectPublic(
      [stale, cheap, poor, w1, w1again],
      new Map([
        ['a', rich(1)],
        ['b', rich()],
        ['p', rich()],
        ['d', rich()],
      ]),
      opts,
    );
    expect(s.included).toEqual([]);
    expect(s.skipped.map((x) => x.reason)).toEqual([
      'nonce too low: next nonce is 1, transaction has 0',
      'max fee per gas 0 below the block base fee 1',
      expect.stringMatching(/^insufficient funds/),
      'another transaction with nonce 1 is already waiting',
    ]);
    expect(s.deferred).toEqual([w1]);
  });

  it('charges each sender for all its placed transactions', () => {
    // Each costs 210,060 at most: a balance of 210,100 pays for one and leaves 40.
    const a0 = c('a', 0, { value: 60n });
    const a1 = c('a', 1, { value: 60n });
    const s = selectPublic([a0, a1], new Map([['a', { nonce: 0, balance: 210_100n }]]), opts);
    expect(s.included).toEqual([a0]);
    expect(s.skipped[0].reason).toMatch(/insufficient funds: balance 40/);
  });

  it('stops at the gas budget and the transaction cap, deferring the rest in order', () => {
    const txs = [c('a', 0), c('b', 0), c('c', 0), c('d', 0)];
    const acc = new Map(['a', 'b', 'c', 'd'].map((x) => [x, rich()]));
    const byGas = selectPublic(txs, acc, { ...opts, gasBudget: 42_000n });
    expect(byGas.included).toEqual(txs.slice(0, 2));
    expect(byGas.deferred).toEqual(txs.slice(2));
    const byCount = selectPublic(txs, acc, { ...opts, maxTxs: 3 });
    expect(byCount.included).toEqual(txs.slice(0, 3));
    expect(byCount.deferred).toEqual(txs.slice(3));
  });
});
