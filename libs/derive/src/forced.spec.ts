import { keccak256, Wallet } from 'ethers';
import type { Account } from '@sealane/protocol';
import { checkDeadline, decodeForced, forcedDeadline, hasArrived, type ForcedTx } from './index';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const wallet = new Wallet(KEY);
const CHAIN = 24225n;
const GWEI = 10n ** 9n;

async function forced(index: number, nonce: number, over: { chainId?: bigint; gasLimit?: bigint } = {}) {
  const raw = await wallet.signTransaction({
    type: 2,
    chainId: over.chainId ?? CHAIN,
    nonce,
    to: '0x' + '11'.repeat(20),
    value: 1n,
    gasLimit: over.gasLimit ?? 21_000n,
    maxFeePerGas: 2n * GWEI,
    maxPriorityFeePerGas: GWEI,
  });
  return {
    index,
    raw,
    hash: keccak256(raw),
    l1Sender: wallet.address,
    l1Timestamp: 100,
    l1Block: 5,
  } as ForcedTx;
}

const at = (nonce: number, balance = 10n ** 18n): Map<string, Account> =>
  new Map([[wallet.address.toLowerCase(), { nonce, balance }]]);
const opts = { chainId: CHAIN, baseFee: GWEI, blockGasLimit: 30_000_000n };

describe('forced inclusion rules', () => {
  it('arrives at the first block whose timestamp reaches its L1 timestamp; due delay slots later', () => {
    expect(hasArrived({ l1Timestamp: 100 }, 99)).toBe(false);
    expect(hasArrived({ l1Timestamp: 100 }, 100)).toBe(true);
    expect(forcedDeadline(7, 10)).toBe(17);
  });

  it('a due transaction that could execute is missed; one that could not is dropped with its code', async () => {
    const ok = await forced(0, 3);
    const used = await forced(1, 2);
    const r = checkDeadline([], [ok, used], at(3), opts);
    expect(r.missed.map((f) => f.index)).toEqual([0]);
    expect(r.dropped.map((d) => [d.forced.index, d.refusal.code])).toEqual([[1, 'nonce-too-low']]);
  });

  it('checks a due transaction after the forced ones placed before it in the block', async () => {
    const first = await forced(0, 3);
    const second = await forced(1, 4);
    // Placed: the first takes nonce 3, so the due second (nonce 4) could execute: missed.
    expect(checkDeadline([first], [second], at(3), opts).missed.map((f) => f.index)).toEqual([1]);
    // Not placed: nonce 4 on an account at 3 is a gap, so it is dropped, not missed.
    expect(checkDeadline([], [second], at(3), opts).dropped[0].refusal.code).toBe('nonce-gap');
  });

  it('drops what never executes: another chain, undecodable bytes, more gas than the block', async () => {
    const other = await forced(0, 0, { chainId: 1n });
    const heavy = await forced(1, 0, { gasLimit: 40_000_000n });
    const junk: ForcedTx = { ...(await forced(2, 0)), raw: '0x02c0' };
    const r = checkDeadline([], [other, heavy, junk], at(0), opts);
    expect(r.missed).toEqual([]);
    expect(r.dropped.map((d) => d.refusal.code)).toEqual([
      'wrong-chain',
      'gas-above-block-limit',
      'undecodable',
    ]);
    expect(decodeForced(Buffer.from('02c0', 'hex'), CHAIN).ok).toBe(false);
  });

  it('drops one its sender cannot pay for', async () => {
    const r = checkDeadline([], [await forced(0, 0)], at(0, 1000n), opts);
    expect(r.dropped[0].refusal.code).toBe('insufficient-funds');
  });
});
