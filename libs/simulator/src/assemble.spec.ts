import { bundleHash, fromHex, toHex, type DecodedTx } from '@sealane/protocol';
import { assemble, failed, reverting, undecodable } from './assemble';
import type { CallOutcome } from './balance-readers';
import { qty } from './call-args';
import type { RunResult } from './run';
import { SimulationFailedError } from './simulator.error';
import type { Prepared } from './tx-decoder';
import type { SimulationContext } from './types';

const A = '0x' + 'aa'.repeat(20);
const B = '0x' + 'bb'.repeat(20);
const ctx: SimulationContext = {
  parentNumber: 10,
  timestamp: 1_000,
  feeRecipient: '0x' + 'cb'.repeat(20),
  baseFee: 100n,
  gasLimit: 30_000_000n,
};
let seq = 0;

/** A decoded EIP-1559 transfer from A at `nonce`: fee cap 300, tip 10 (so it pays 110 a gas). */
function tx(nonce: number, over: Partial<DecodedTx> = {}): Prepared {
  const hash = '0x' + (++seq).toString(16).padStart(64, '0');
  const decoded: DecodedTx = {
    raw: new Uint8Array(),
    hash,
    from: A,
    to: B,
    nonce,
    type: 2,
    chainId: 1n,
    gasLimit: 21_000n,
    maxFeePerGas: 300n,
    maxPriorityFeePerGas: 10n,
    value: 7n,
    dataLength: 0,
    ...over,
  };
  return { hash, tx: decoded, call: {} };
}

const ok = (gasUsed: bigint, returnData = '0x'): CallOutcome => ({
  status: '0x1',
  gasUsed: qty(gasUsed),
  returnData,
});
const reverted = (gasUsed: bigint, returnData: string, message?: string): CallOutcome => ({
  status: '0x0',
  gasUsed: qty(gasUsed),
  returnData,
  ...(message ? { error: { message } } : {}),
});

function run(over: Partial<RunResult>): RunResult {
  return { calls: [], readings: [], traces: [], parentNonces: new Map([[A, 3]]), ...over };
}

describe('assemble (a bundle from a run)', () => {
  it('measures each transaction from the readings around it and sums the bundle', () => {
    const txs = [tx(3), tx(4, { maxFeePerGas: 105n })];
    const r = assemble(
      txs,
      run({
        calls: [ok(21_000n), ok(50_000n, '0x01')],
        // The second pays 1,000 wei directly on top of its fees.
        readings: [5n, 5n + 210_000n, 5n + 210_000n + 250_000n + 1_000n],
        traces: [
          { reads: new Set([A, B]), writes: new Set([A]) },
          { reads: new Set([`${B}:0x1`]), writes: new Set([B]) },
        ],
      }),
      0,
      ctx,
      new Set(),
      new Map(),
    );
    expect(r.valid).toBe(true);
    expect(r.failure).toBeUndefined();
    expect(r.results.map((t) => [t.gasPrice, t.gasFees, t.coinbaseDiff, t.ethSentToCoinbase])).toEqual([
      [110n, 210_000n, 210_000n, 0n],
      // Capped: min(105, 100 + 10).
      [105n, 250_000n, 251_000n, 1_000n],
    ]);
    expect(r.results[1]).toMatchObject({
      fromAddress: A,
      toAddress: B,
      nonce: 4,
      value: 7n,
      returnData: '0x01',
    });
    expect(r).toMatchObject({
      bundleHash: toHex(bundleHash(txs.map((t) => fromHex(t.hash)))),
      txHashes: txs.map((t) => t.hash),
      stateBlockNumber: 10,
      coinbaseDiff: 461_000n,
      gasFees: 460_000n,
      ethSentToCoinbase: 1_000n,
      totalGasUsed: 71_000n,
      bundleGasPrice: 461_000n / 71_000n,
      nonces: [
        { sender: A, nonce: 3 },
        { sender: A, nonce: 4 },
      ],
    });
    expect([...r.reads].sort()).toEqual([A, B, `${B}:0x1`].sort());
    expect([...r.writes].sort()).toEqual([A, B].sort());
  });

  it('prices a legacy transaction at its gas price', () => {
    const r = assemble(
      [tx(3, { type: 0, maxFeePerGas: 150n, maxPriorityFeePerGas: 150n })],
      run({ calls: [ok(21_000n)], readings: [0n, 50n * 21_000n] }),
      0,
      ctx,
      new Set(),
      new Map(),
    );
    expect(r.results[0]).toMatchObject({ gasPrice: 150n, gasFees: 50n * 21_000n, ethSentToCoinbase: 0n });
  });

  it('checks nonces against the parent, advanced by earlier transactions and bundles of the run', () => {
    const nonces = new Map<string, number>();
    const calls = [ok(21_000n), ok(21_000n), ok(21_000n)];
    const the = run({ calls, readings: [0n, 0n, 0n, 0n] });
    expect(assemble([tx(3), tx(4)], the, 0, ctx, new Set(), nonces).valid).toBe(true);
    // The next bundle of the sequence stands at offset 2, after A's nonces 3 and 4.
    expect(assemble([tx(5)], the, 2, ctx, new Set(), new Map(nonces)).valid).toBe(true);
    expect(assemble([tx(4)], the, 2, ctx, new Set(), new Map(nonces)).failure).toMatchObject({
      code: 'nonce-too-low',
      txIndex: 0,
      message: 'nonce 4, expected 5',
    });
    const r = assemble([tx(3), tx(5)], the, 0, ctx, new Set(), new Map());
    expect(r.failure).toMatchObject({ code: 'nonce-too-high', txIndex: 1, message: 'nonce 5, expected 4' });
    expect(r.results).toHaveLength(1);
    expect(r.coinbaseDiff).toBe(0n);
  });

  it('fails a fee cap below the base fee and a gas limit above the block, before looking at the run', () => {
    const empty = run({});
    expect(assemble([tx(3, { maxFeePerGas: 99n })], empty, 0, ctx, new Set(), new Map()).failure).toEqual({
      code: 'fee-cap-below-base-fee',
      txIndex: 0,
      txHash: expect.any(String),
      message: 'max fee per gas 99 below base fee 100',
    });
    expect(
      assemble([tx(3, { gasLimit: 30_000_001n })], empty, 0, ctx, new Set(), new Map()).failure,
    ).toMatchObject({
      code: 'gas-limit-above-block',
      message: "gas limit 30000001 above the block's 30000000",
    });
  });

  it("answers the engine's refusal or trace error as 'rejected', with the results before it", () => {
    const txs = [tx(3), tx(4)];
    const refused = run({
      calls: [ok(21_000n)],
      readings: [0n, 0n],
      refused: { index: 1, message: 'insufficient funds' },
    });
    const r = assemble(txs, refused, 0, ctx, new Set(), new Map());
    expect(r.failure).toEqual({
      code: 'rejected',
      txIndex: 1,
      txHash: txs[1].hash,
      message: 'insufficient funds',
    });
    expect(r.results).toHaveLength(1);
    const traced = run({
      calls: [ok(21_000n), ok(21_000n)],
      readings: [0n, 0n, 0n],
      traces: [{ reads: new Set([A]), writes: new Set() }, { error: 'intrinsic gas too low' }],
    });
    expect(assemble(txs, traced, 0, ctx, new Set(), new Map()).failure).toMatchObject({
      code: 'rejected',
      txIndex: 1,
      message: 'intrinsic gas too low',
    });
  });

  it('fails a revert unless its hash may revert, and says why it reverted', () => {
    const custom = tx(3);
    const r = assemble(
      [custom],
      run({ calls: [reverted(30_000n, '0xdeadbeef')], readings: [0n, 300_000n] }),
      0,
      ctx,
      new Set(),
      new Map(),
    );
    expect(r.results[0]).toMatchObject({ reverted: true, error: 'execution reverted', revert: '0xdeadbeef' });
    expect(r.failure).toMatchObject({ code: 'reverted', message: 'execution reverted: 0xdeadbeef' });
    // A reverted transaction is still measured: it paid its fees.
    expect(r.coinbaseDiff).toBe(300_000n);

    const oog = tx(3);
    const outOfGas = run({
      calls: [reverted(21_000n, '0x', 'out of gas'), ok(21_000n)],
      readings: [0n, 0n, 0n],
    });
    const allowed = assemble(
      [oog, tx(4)],
      outOfGas,
      0,
      ctx,
      reverting({ txs: [], revertingTxHashes: [oog.hash] }),
      new Map(),
    );
    expect(allowed.valid).toBe(true);
    expect(allowed.results[0]).toMatchObject({ error: 'out of gas' });
    expect(allowed.results[0].revert).toBeUndefined();
    expect(assemble([oog], outOfGas, 0, ctx, new Set(), new Map()).failure?.message).toBe('out of gas');
  });

  it('takes the hashes allowed to revert in any case', () => {
    expect(reverting({ txs: [], revertingTxHashes: ['0xAbC'] })).toEqual(new Set(['0xabc']));
    expect(reverting({ txs: [] })).toEqual(new Set());
  });

  it('throws when the run has no result for a transaction it did not refuse', () => {
    expect(() => assemble([tx(3)], run({ readings: [0n] }), 0, ctx, new Set(), new Map())).toThrow(
      SimulationFailedError,
    );
  });
});

describe('invalid answers', () => {
  it('names the undecodable transaction, with nothing measured', () => {
    const txs = [tx(3), { hash: '0x' + '00'.repeat(32), decodeError: 'bad signature' }];
    expect(undecodable(txs, 1, ctx)).toMatchObject({
      valid: false,
      failure: { code: 'invalid-transaction', txIndex: 1, txHash: txs[1].hash, message: 'bad signature' },
      results: [],
      coinbaseDiff: 0n,
      totalGasUsed: 0n,
      bundleGasPrice: 0n,
      nonces: [{ sender: A, nonce: 3 }],
    });
  });

  it("fails the bundle with the engine's error and its cause, but passes up a transport failure", () => {
    const txs = [tx(3)];
    const e = new SimulationFailedError('eth_simulateV1 failed', { cause: new Error('unreadable answer') });
    expect(failed(txs, e, ctx).failure).toEqual({
      code: 'simulation-failed',
      txIndex: 0,
      txHash: txs[0].hash,
      message: 'eth_simulateV1 failed: unreadable answer',
    });
    expect(failed([], 'odd', ctx).failure).toMatchObject({ txHash: '0x', message: 'odd' });
    const down = new SimulationFailedError('eth_simulateV1 failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(() => failed(txs, down, ctx)).toThrow(down);
  });
});
