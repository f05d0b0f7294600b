/**
 * Simulates bundles of signed transactions at the top of a slot on the L2 engine and measures
 * what they pay the fee recipient and which state they read and write.
 *
 * How (all measured by the engine, nothing estimated):
 * - Values: one `eth_simulateV1` per bundle (per sequence for `simulateSequence`) on the state
 *   after the parent block, with the slot's block environment. Between every two transactions
 *   (and before the first, after the last) it runs a *balance reader*: a call to a contract
 *   injected with stateOverrides that returns `BALANCE(COINBASE)`, sent with priority fee 0
 *   so it pays the fee recipient nothing. The difference of two readings is exactly what the
 *   transaction between them moved to the fee recipient: priority fees, plain and internal
 *   transfers, SELFDESTRUCT beneficiaries, minus anything it sent away. (anvil's
 *   `traceTransfers` was the other candidate, but it reports the value of calls that reverted,
 *   e.g. a whole reverted transaction's value or a payment in a caught sub-call, so a bid
 *   measured from it could be faked.)
 * - State keys: for each transaction in turn, `debug_traceCall` with the prestateTracer, in
 *   plain mode (reads: everything touched) and diff mode (writes: what changed), on the parent
 *   state plus stateOverrides that replay the earlier transactions of the bundle, built from
 *   their diffs. So the second transaction of a bundle is traced on the state the first left
 *   (an approve then a swap traces the swap with the allowance set). eth_createAccessList
 *   would only give touched keys, with no way to replay a transaction's effects for the next,
 *   and anvil has no debug_traceCallMany. Costs one step (one batch round trip) per position,
 *   so it runs only for a bundle the simulation found valid: an invalid one loses anyway.
 * - Validity: anvil's simulation checks neither nonces nor fee caps, so they are checked here
 *   (nonces against the parent state, advanced by each earlier transaction of the same
 *   sender); what the engine refuses (funds, intrinsic gas) fails the request, and the failing
 *   transaction is then found by a binary search over prefixes (the first refused prefix ends
 *   with it): ⌈log2 n⌉ more eth_simulateV1 calls, one at a time, for a bundle of n.
 * - Isolation: whatever one bundle makes the engine answer (a refusal, a request too large,
 *   something unreadable), it fails that bundle alone (code 'simulation-failed'); only a
 *   transport failure (engine unreachable) rejects the whole call.
 *
 * `gasFees` is what the fee recipient earns from fees: gasUsed × (effectiveGasPrice − baseFee),
 * the priority fee, since the base fee is burned (EIP-1559). `coinbaseDiff` = the fee
 * recipient's balance change; `ethSentToCoinbase` = coinbaseDiff − gasFees (Flashbots'
 * definitions). The fee recipient is left out of the state keys: every transaction credits it
 * and credits commute, so keeping it would make every pair of bundles conflict.
 *
 * Never sends a transaction, never changes the engine's state.
 */
import { type EngineBlock, type EngineClient, nextBaseFee } from '@sealane/engine';
import { bundleHash, decodeTransaction, fromHex, keccak256, toHex, type DecodedTx } from '@sealane/protocol';
import { callArgs, qty } from './call-args';
import { revertReason } from './revert';
import { RpcBatcher, isRpcError } from './rpc-batcher';
import { EmptyBundleError, SimulationFailedError, SimulatorError } from './simulator.error';
import {
  applyDiff,
  readKeys,
  writeKeys,
  type Prestate,
  type PrestateDiff,
  type StateOverrides,
} from './state-keys';
import type {
  AccountRead,
  BundleFailure,
  BundleFailureCode,
  BundleInput,
  BundleSimulation,
  RawTx,
  SequenceSimulation,
  SimulateOptions,
  SimulationContext,
  SimulatorOptions,
  TxSimulation,
} from './types';

/** The context for the child of `parent`: EIP-1559 base fee from the parent, its gas limit unless given. */
export function slotContext(
  parent: EngineBlock,
  opts: { timestamp: number; feeRecipient: string; gasLimit?: bigint },
): SimulationContext {
  const gasLimit = BigInt(parent.gasLimit);
  return {
    parentNumber: Number(parent.number),
    timestamp: opts.timestamp,
    feeRecipient: opts.feeRecipient,
    baseFee: nextBaseFee({
      gasLimit,
      gasUsed: BigInt(parent.gasUsed),
      baseFeePerGas: BigInt(parent.baseFeePerGas ?? 0),
    }),
    gasLimit: opts.gasLimit ?? gasLimit,
  };
}

interface Prepared {
  hash: string;
  tx?: DecodedTx;
  /** The transaction as a call object for eth_simulateV1 / debug_traceCall. */
  call?: Record<string, unknown>;
  decodeError?: string;
}

interface CallOutcome {
  status: string;
  gasUsed: string;
  returnData: string;
  error?: { message?: string };
}

interface RunResult {
  /** Per transaction, from eth_simulateV1; shorter than the run when the engine refused one. */
  calls: CallOutcome[];
  /** Fee recipient balance before each transaction and after the last executed one. */
  readings: bigint[];
  /** The first transaction the engine refused, and why. */
  refused?: { index: number; message: string };
  /** Per transaction traced: keys, or the engine's error (the chain stops there). */
  traces: ({ reads: Set<string>; writes: Set<string> } | { error: string })[];
  parentNonces: Map<string, number>;
}

/** The balance reader: COINBASE BALANCE PUSH0 MSTORE PUSH1 32 PUSH0 RETURN. */
const READER_CODE = '0x41315f5260205ff3';
const derived = (label: string) => toHex(keccak256(new TextEncoder().encode(label)).subarray(12));
const READER = derived('sealane/simulator/coinbase-reader');
const READER_FROM = derived('sealane/simulator/coinbase-reader-sender');
/** 21,000 intrinsic + ~115 for the code; headroom without eating into the block. */
const READER_GAS = 25_000n;

export class BundleSimulator {
  private readonly rpc: RpcBatcher;
  private readonly cache = new Map<string, Prepared>();
  private readonly cacheSize: number;

  constructor(
    engine: EngineClient,
    private readonly opts: SimulatorOptions,
  ) {
    this.rpc = new RpcBatcher(engine, { maxBatch: opts.maxBatch ?? 200, maxInFlight: opts.maxInFlight ?? 4 });
    this.cacheSize = opts.cacheSize ?? 20_000;
  }

  /** One bundle at the top of the slot. */
  async simulate(
    raws: readonly RawTx[],
    ctx: SimulationContext,
    opts: SimulateOptions = {},
  ): Promise<BundleSimulation> {
    if (raws.length === 0) throw new EmptyBundleError('a bundle needs at least one transaction');
    const [r] = await this.simulateMany(
      [{ txs: raws, revertingTxHashes: opts.revertingTxHashes }],
      ctx,
      opts,
    );
    return r;
  }

  /**
   * Each bundle on its own at the top of the slot (the auction's view), all in shared batch
   * requests: one step for the simulation and first traces, one more per further position.
   */
  async simulateMany(
    bundles: readonly BundleInput[],
    ctx: SimulationContext,
    opts: { stateKeys?: boolean } = {},
  ): Promise<BundleSimulation[]> {
    const keys = opts.stateKeys ?? true;
    return Promise.all(
      bundles.map(async (b) => {
        let prepared: Prepared[] = [];
        try {
          prepared = this.prepareBundle(b.txs);
          const bad = prepared.findIndex((p) => !p.tx);
          if (bad >= 0) return this.undecodable(prepared, bad, ctx);
          const run = await this.run(prepared, ctx);
          const r = this.assemble(prepared, run, 0, ctx, reverting(b), new Map());
          // Keys matter only for a bundle that can win; tracing an invalid one is wasted work.
          if (!keys || !r.valid) return r;
          run.traces = await this.traceChain(prepared, ctx);
          return this.assemble(prepared, run, 0, ctx, reverting(b), new Map());
        } catch (e) {
          return this.failed(prepared, e, ctx);
        }
      }),
    );
  }

  /**
   * All bundles one after another in one block, each measured where it stands: the builder's
   * re-check of the winners in their final order. A bundle that fails there (reverts, nonce
   * taken by an earlier one, ...) is reported and dropped, and the ones after it are measured
   * again without it, as the block would be built.
   */
  async simulateSequence(
    bundles: readonly BundleInput[],
    ctx: SimulationContext,
    opts: { stateKeys?: boolean } = {},
  ): Promise<SequenceSimulation> {
    const out: (BundleSimulation & { included: boolean })[] = new Array(bundles.length);
    const prepared = bundles.map((b, i) => {
      try {
        return this.prepareBundle(b.txs);
      } catch (e) {
        out[i] = { ...this.failed([], e, ctx), included: false };
        return [];
      }
    });
    let included: number[] = [];
    prepared.forEach((p, i) => {
      if (out[i]) return;
      const bad = p.findIndex((t) => !t.tx);
      if (bad >= 0) out[i] = { ...this.undecodable(p, bad, ctx), included: false };
      else included.push(i);
    });
    while (included.length > 0) {
      let run: RunResult;
      try {
        run = await this.run(
          included.flatMap((i) => prepared[i]),
          ctx,
        );
        if (opts.stateKeys ?? true)
          run.traces = await this.traceChain(
            included.flatMap((i) => prepared[i]),
            ctx,
          );
      } catch (e) {
        if (isTransportFailure(e)) throw e;
        // The engine could not simulate the sequence: the first bundle whose prefix fails goes.
        const bad = await this.firstFailingBundle(included, prepared, ctx);
        out[bad] = { ...this.failed(prepared[bad], e, ctx), included: false };
        included = included.filter((i) => i !== bad);
        continue;
      }
      const nonces = new Map<string, number>();
      let offset = 0;
      let failed = -1;
      for (const i of included) {
        let r: BundleSimulation;
        try {
          r = this.assemble(prepared[i], run, offset, ctx, reverting(bundles[i]), nonces);
        } catch (e) {
          r = this.failed(prepared[i], e, ctx);
        }
        out[i] = { ...r, included: r.valid };
        if (!r.valid) {
          failed = i;
          break;
        }
        offset += prepared[i].length;
      }
      if (failed < 0) break;
      included = included.filter((i) => i !== failed);
    }
    const kept = out.filter((b) => b.included);
    return {
      bundles: out,
      coinbaseDiff: kept.reduce((s, b) => s + b.coinbaseDiff, 0n),
      totalGasUsed: kept.reduce((s, b) => s + b.totalGasUsed, 0n),
    };
  }

  /**
   * Nonce and balance of each account after block `parentNumber`, in shared batch requests (two
   * calls per account); an account the engine answered nothing readable for is left out.
   */
  async accounts(addresses: readonly string[], parentNumber: number): Promise<Map<string, AccountRead>> {
    const tag = qty(parentNumber);
    const out = new Map<string, AccountRead>();
    await Promise.all(
      addresses.map(async (a) => {
        try {
          const [n, b] = await Promise.all([
            this.rpc.call<string>('eth_getTransactionCount', [a, tag]),
            this.rpc.call<string>('eth_getBalance', [a, tag]),
          ]);
          out.set(a, { nonce: Number(BigInt(n)), balance: BigInt(b) });
        } catch (e) {
          if (!isRpcError(e) && !(e instanceof SyntaxError) && !(e instanceof TypeError)) throw e;
        }
      }),
    );
    return out;
  }

  // --- one run: a flat list of decoded transactions on the parent state ---------------------

  /** Simulates the transactions (traces are added by the caller); finds the one the engine refuses. */
  private async run(txs: Prepared[], ctx: SimulationContext): Promise<RunResult> {
    const tag = qty(ctx.parentNumber);
    const senders = [...new Set(txs.map((t) => t.tx!.from))];
    const [sim, nonces] = await Promise.all([
      this.simulateOrRefusal(txs, ctx),
      Promise.all(senders.map((s) => this.rpc.call<string>('eth_getTransactionCount', [s, tag]))).catch(
        (e: unknown) => {
          throw new SimulationFailedError('eth_getTransactionCount failed', { cause: e });
        },
      ),
    ]);
    const parentNonces = new Map(senders.map((s, i) => [s, Number(nonces[i])]));
    if (!('refusal' in sim)) return { ...sim, traces: [], parentNonces };
    // The engine refused one of them. A refusal stops the run, so every prefix from the culprit
    // on is refused and every shorter one is not: binary search for the first refused prefix.
    let lo = 0;
    let hi = txs.length;
    let message = sim.refusal;
    let before: { calls: CallOutcome[]; readings: bigint[] } = { calls: [], readings: [] };
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const r = await this.simulateOrRefusal(txs.slice(0, mid), ctx);
      if ('refusal' in r) {
        hi = mid;
        message = r.refusal;
      } else {
        lo = mid;
        before = r;
      }
    }
    if (before.calls.length !== lo) throw new SimulationFailedError('inconsistent prefix simulation');
    return { ...before, refused: { index: lo, message }, traces: [], parentNonces };
  }

  /** The simulation, or the engine's refusal of one of the transactions (an error about this request). */
  private async simulateOrRefusal(
    txs: Prepared[],
    ctx: SimulationContext,
  ): Promise<{ calls: CallOutcome[]; readings: bigint[] } | { refusal: string }> {
    try {
      return await this.simulateCalls(txs, ctx);
    } catch (e) {
      if (isRpcError(e) && !e.wholeRequest) return { refusal: e.rpcMessage };
      if (e instanceof SimulationFailedError) throw e;
      throw new SimulationFailedError(
        isRpcError(e)
          ? `the engine refused the simulation request: ${e.rpcMessage}`
          : 'eth_simulateV1 failed',
        { cause: e },
      );
    }
  }

  /**
   * The bundle (of `included`) whose sequence prefix the engine first fails to simulate: the
   * same binary search, over bundles. When every prefix runs, the last bundle is blamed.
   */
  private async firstFailingBundle(
    included: number[],
    prepared: Prepared[][],
    ctx: SimulationContext,
  ): Promise<number> {
    let lo = 0;
    let hi = included.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      try {
        await this.run(
          included.slice(0, mid).flatMap((i) => prepared[i]),
          ctx,
        );
        lo = mid;
      } catch (e) {
        if (isTransportFailure(e)) throw e;
        hi = mid;
      }
    }
    return included[lo];
  }

  /** eth_simulateV1 of the transactions with a balance reader around each. */
  private async simulateCalls(
    txs: Prepared[],
    ctx: SimulationContext,
  ): Promise<{ calls: CallOutcome[]; readings: bigint[] }> {
    const reader = {
      from: READER_FROM,
      to: READER,
      gas: qty(READER_GAS),
      maxFeePerGas: qty(ctx.baseFee),
      maxPriorityFeePerGas: '0x0',
    };
    const calls: unknown[] = [reader];
    for (const t of txs) calls.push(t.call, reader);
    const blocks = await this.rpc.call<{ calls: CallOutcome[] }[]>('eth_simulateV1', [
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

  /** Traces each transaction on the state the earlier ones left; stops at the first the engine refuses. */
  private async traceChain(txs: Prepared[], ctx: SimulationContext): Promise<RunResult['traces']> {
    const tag = qty(ctx.parentNumber);
    const block = blockOverrides(ctx);
    const ignore = ctx.feeRecipient.toLowerCase();
    const overrides: StateOverrides = {};
    const out: RunResult['traces'] = [];
    for (let i = 0; i < txs.length; i++) {
      const last = i === txs.length - 1;
      const trace = <T>(tracerConfig: Record<string, unknown>) =>
        this.rpc.call<T>('debug_traceCall', [
          txs[i].call,
          tag,
          { tracer: 'prestateTracer', tracerConfig, blockOverrides: block, stateOverrides: overrides },
        ]);
      try {
        // Code stays in the diff unless nothing follows: a contract created here must exist for the next.
        const [plain, diff] = await Promise.all([
          trace<Prestate>({ disableCode: true }),
          trace<PrestateDiff>({ diffMode: true, disableCode: last }),
        ]);
        out.push({ reads: readKeys(plain, ignore), writes: writeKeys(diff, ignore) });
        if (!last) applyDiff(overrides, diff);
      } catch (e) {
        if (!isRpcError(e) || e.wholeRequest)
          throw new SimulationFailedError('debug_traceCall failed', { cause: e });
        out.push({ error: e.rpcMessage });
        break;
      }
    }
    return out;
  }

  // --- results ---------------------------------------------------------------------------

  /** The bundle at positions [offset, offset + n) of the run; advances `nonces` past its transactions. */
  private assemble(
    txs: Prepared[],
    run: RunResult,
    offset: number,
    ctx: SimulationContext,
    allowedToRevert: Set<string>,
    nonces: Map<string, number>,
  ): BundleSimulation {
    const results: TxSimulation[] = [];
    const reads = new Set<string>();
    const writes = new Set<string>();
    let failure: BundleFailure | undefined;
    const fail = (code: BundleFailureCode, i: number, message: string) =>
      (failure = { code, txIndex: i, txHash: txs[i].hash, message });
    for (let i = 0; i < txs.length && !failure; i++) {
      const tx = txs[i].tx!;
      const at = offset + i;
      const expected = nonces.get(tx.from) ?? run.parentNonces.get(tx.from) ?? 0;
      if (tx.nonce !== expected) {
        fail(
          tx.nonce < expected ? 'nonce-too-low' : 'nonce-too-high',
          i,
          `nonce ${tx.nonce}, expected ${expected}`,
        );
        break;
      }
      nonces.set(tx.from, expected + 1);
      if (tx.maxFeePerGas < ctx.baseFee) {
        fail('fee-cap-below-base-fee', i, `max fee per gas ${tx.maxFeePerGas} below base fee ${ctx.baseFee}`);
        break;
      }
      if (tx.gasLimit > ctx.gasLimit) {
        fail('gas-limit-above-block', i, `gas limit ${tx.gasLimit} above the block's ${ctx.gasLimit}`);
        break;
      }
      if (run.refused?.index === at) {
        fail('rejected', i, run.refused.message);
        break;
      }
      const trace = run.traces[at];
      if (trace && 'error' in trace) {
        fail('rejected', i, trace.error);
        break;
      }
      const c = run.calls[at];
      if (!c) throw new SimulationFailedError(`no simulation result for transaction ${at}`);
      if (trace) {
        trace.reads.forEach((k) => reads.add(k));
        trace.writes.forEach((k) => writes.add(k));
      }
      const r = txResult(txs[i], c, run.readings[at], run.readings[at + 1], ctx.baseFee);
      results.push(r);
      if (r.reverted && !allowedToRevert.has(r.txHash))
        fail('reverted', i, r.revert ? `${r.error}: ${r.revert}` : (r.error ?? 'execution reverted'));
    }
    const sum = (f: (r: TxSimulation) => bigint) => results.reduce((s, r) => s + f(r), 0n);
    const coinbaseDiff = sum((r) => r.coinbaseDiff);
    const totalGasUsed = sum((r) => r.gasUsed);
    return {
      ...this.identity(txs, ctx),
      valid: !failure,
      ...(failure ? { failure } : {}),
      results,
      coinbaseDiff,
      ethSentToCoinbase: sum((r) => r.ethSentToCoinbase),
      gasFees: sum((r) => r.gasFees),
      totalGasUsed,
      bundleGasPrice: totalGasUsed > 0n ? coinbaseDiff / totalGasUsed : 0n,
      reads,
      writes,
    };
  }

  private undecodable(txs: Prepared[], i: number, ctx: SimulationContext): BundleSimulation {
    return this.invalid(txs, ctx, {
      code: 'invalid-transaction',
      txIndex: i,
      txHash: txs[i].hash,
      message: txs[i].decodeError!,
    });
  }

  /** A bundle the engine could not simulate; rethrows a transport failure, which is nobody's bundle. */
  private failed(txs: Prepared[], e: unknown, ctx: SimulationContext): BundleSimulation {
    if (isTransportFailure(e)) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
    return this.invalid(txs, ctx, {
      code: 'simulation-failed',
      txIndex: 0,
      txHash: txs[0]?.hash ?? '0x',
      message: message + cause,
    });
  }

  /** An invalid bundle's answer: its identity and failure, nothing measured. */
  private invalid(txs: Prepared[], ctx: SimulationContext, failure: BundleFailure): BundleSimulation {
    return {
      ...this.identity(txs, ctx),
      valid: false,
      failure,
      results: [],
      coinbaseDiff: 0n,
      ethSentToCoinbase: 0n,
      gasFees: 0n,
      totalGasUsed: 0n,
      bundleGasPrice: 0n,
      reads: new Set(),
      writes: new Set(),
    };
  }

  private identity(txs: Prepared[], ctx: SimulationContext) {
    const txHashes = txs.map((t) => t.hash);
    return {
      bundleHash: toHex(bundleHash(txHashes.map(fromHex))),
      txHashes,
      stateBlockNumber: ctx.parentNumber,
      nonces: txs.filter((t) => t.tx).map((t) => ({ sender: t.tx!.from, nonce: t.tx!.nonce })),
    };
  }

  // --- decoding --------------------------------------------------------------------------

  private prepareBundle(raws: readonly RawTx[]): Prepared[] {
    if (raws.length === 0) throw new EmptyBundleError('a bundle needs at least one transaction');
    return raws.map((r) => this.prepare(r));
  }

  /** Decodes with Sealane's strict decoder (native sender recovery unless the sender is given). */
  private prepare(input: RawTx): Prepared {
    const raw = typeof input === 'string' || input instanceof Uint8Array ? input : input.raw;
    const knownSender = raw === input ? undefined : (input as { from: string }).from.toLowerCase();
    const hex = typeof raw === 'string' ? raw.toLowerCase() : toHex(raw);
    const hit = this.cache.get(hex);
    if (hit) return hit;
    let p: Prepared;
    try {
      const bytes = typeof raw === 'string' ? fromHex(raw) : raw;
      const tx = decodeTransaction(bytes, { chainId: this.opts.chainId, knownSender });
      p = { hash: tx.hash, tx, call: callArgs(tx, bytes) };
    } catch (e) {
      let hash = '0x' + '0'.repeat(64);
      try {
        hash = toHex(keccak256(fromHex(hex)));
      } catch {
        // Not even hex: the zero hash stands for it.
      }
      p = { hash, decodeError: e instanceof Error ? e.message : String(e) };
    }
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hex, p);
    return p;
  }
}

/**
 * Whether an error says the engine could not be reached (or timed out) rather than anything about
 * the bundle: such a failure is not the bundle's, so it is passed up instead of failing it.
 */
function isTransportFailure(e: unknown): boolean {
  let cur: unknown = e;
  while (cur instanceof SimulatorError && cur.cause !== undefined) cur = cur.cause;
  // undici and node socket errors carry a code (UND_ERR_CONNECT_TIMEOUT, ECONNREFUSED, ...).
  const code = cur instanceof Error ? (cur as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^(UND_ERR|E[A-Z]+$)/.test(code);
}

function reverting(b: BundleInput): Set<string> {
  return new Set((b.revertingTxHashes ?? []).map((h) => h.toLowerCase()));
}

/** Field names as geth defines BlockOverrides; anvil accepts them in eth_simulateV1 and debug_traceCall. */
function blockOverrides(ctx: SimulationContext): Record<string, string> {
  return {
    number: qty(ctx.number ?? ctx.parentNumber + 1),
    time: qty(ctx.timestamp),
    feeRecipient: ctx.feeRecipient.toLowerCase(),
    baseFeePerGas: qty(ctx.baseFee),
    gasLimit: qty(ctx.gasLimit),
  };
}

function txResult(p: Prepared, c: CallOutcome, before: bigint, after: bigint, baseFee: bigint): TxSimulation {
  const tx = p.tx!;
  const gasUsed = BigInt(c.gasUsed);
  const gasPrice =
    tx.type === 2
      ? tx.maxFeePerGas < baseFee + tx.maxPriorityFeePerGas
        ? tx.maxFeePerGas
        : baseFee + tx.maxPriorityFeePerGas
      : tx.maxFeePerGas;
  const gasFees = gasUsed * (gasPrice - baseFee);
  const coinbaseDiff = after - before;
  const reverted = c.status !== '0x1';
  const reason = reverted
    ? (revertReason(c.returnData) ?? (c.returnData !== '0x' ? c.returnData : undefined))
    : undefined;
  return {
    txHash: p.hash,
    fromAddress: tx.from,
    toAddress: tx.to,
    nonce: tx.nonce,
    value: tx.value,
    gasUsed,
    gasPrice,
    gasFees,
    coinbaseDiff,
    ethSentToCoinbase: coinbaseDiff - gasFees,
    returnData: c.returnData,
    reverted,
    ...(reverted
      ? {
          error: c.returnData !== '0x' ? 'execution reverted' : (c.error?.message ?? 'execution reverted'),
          ...(reason !== undefined ? { revert: reason } : {}),
        }
      : {}),
  };
}
