/**
 * Measures what each transaction pays the fee recipient, by the engine, nothing estimated.
 *
 * One `eth_simulateV1` per bundle (per sequence for `simulateSequence`) on the state after the
 * parent block, with the slot's block environment. Between every two transactions (and before
 * the first, after the last) it runs a *balance reader*: a call to a contract injected with
 * stateOverrides that returns `BALANCE(COINBASE)`, sent with priority fee 0 so it pays the fee
 * recipient nothing. The difference of two readings is exactly what the transaction between
 * them moved to the fee recipient: priority fees, plain and internal transfers, SELFDESTRUCT
 * beneficiaries, minus anything it sent away. (anvil's `traceTransfers` was the other
 * candidate, but it reports the value of calls that reverted, e.g. a whole reverted
 * transaction's value or a payment in a caught sub-call, so a bid measured from it could be
 * faked.)
 */
import { keccak256, toHex } from '@sealane/protocol';
import { qty } from './call-args';
import { type RpcBatcher, isRpcError } from './rpc-batcher';
import { SimulationFailedError } from './simulator.error';
import { blockOverrides } from './slot-context';
import type { Prepared } from './tx-decoder';
import type { SimulationContext } from './types';

/** One call's outcome as eth_simulateV1 answers it. */
export interface CallOutcome {
  status: string;
  gasUsed: string;
  returnData: string;
  error?: { message?: string };
}

export interface Readings {
  /** Per transaction. */
  calls: CallOutcome[];
  /** Fee recipient balance before each transaction and after the last. */
  readings: bigint[];
}

/** The balance reader: COINBASE BALANCE PUSH0 MSTORE PUSH1 32 PUSH0 RETURN. */
const READER_CODE = '0x41315f5260205ff3';
const derived = (label: string) => toHex(keccak256(new TextEncoder().encode(label)).subarray(12));
const READER = derived('sealane/simulator/coinbase-reader');
const READER_FROM = derived('sealane/simulator/coinbase-reader-sender');
/** 21,000 intrinsic + ~115 for the code; headroom without eating into the block. */
const READER_GAS = 25_000n;

/** The simulation, or the engine's refusal of one of the transactions (an error about this request). */
export async function simulateOrRefusal(
  rpc: RpcBatcher,
  txs: Prepared[],
  ctx: SimulationContext,
): Promise<Readings | { refusal: string }> {
  try {
    return await simulateCalls(rpc, txs, ctx);
  } catch (e) {
    if (isRpcError(e) && !e.wholeRequest) return { refusal: e.rpcMessage };
    if (e instanceof SimulationFailedError) throw e;
    throw new SimulationFailedError(
      isRpcError(e) ? `the engine refused the simulation request: ${e.rpcMessage}` : 'eth_simulateV1 failed',
      { cause: e },
    );
  }
}

/** eth_simulateV1 of the transactions with a balance reader around each. */
async function simulateCalls(rpc: RpcBatcher, txs: Prepared[], ctx: SimulationContext): Promise<Readings> {
  const reader = {
    from: READER_FROM,
    to: READER,
    gas: qty(READER_GAS),
    maxFeePerGas: qty(ctx.baseFee),
    maxPriorityFeePerGas: '0x0',
  };
  const calls: unknown[] = [reader];
  for (const t of txs) calls.push(t.call, reader);
  const blocks = await rpc.call<{ calls: CallOutcome[] }[]>('eth_simulateV1', [
    {
      blockStateCalls: [
        {
          blockOverrides: blockOverrides(ctx),
          stateOverrides: {
            [READER]: { code: READER_CODE },
            [READER_FROM]: { balance: qty(10n ** 30n) },
          },
          calls,
        },
      ],
      validation: true,
    },
    qty(ctx.parentNumber),
  ]);
  const out = blocks[0]?.calls;
  if (!out || out.length !== calls.length)
    throw new SimulationFailedError('eth_simulateV1 returned a short block');
  const readings: bigint[] = [];
  const results: CallOutcome[] = [];
  out.forEach((c, i) => {
    if (i % 2 === 1) return void results.push(c);
    if (c.status !== '0x1') throw new SimulationFailedError('the fee recipient balance reader failed');
    readings.push(BigInt(c.returnData));
  });
  return { calls: results, readings };
}
