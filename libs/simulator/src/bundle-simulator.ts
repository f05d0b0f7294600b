/**
 * Simulates bundles of signed transactions at the top of a slot on the L2 engine and measures
 * what they pay the fee recipient and which state they read and write. All is measured by the
 * engine, nothing estimated; each measure is described where it is made:
 * - values: `balance-readers.ts` (one eth_simulateV1 with fee recipient balance readers);
 * - state keys: `trace-chain.ts` (prestate traces, each on the state the earlier ones left);
 * - validity: `assemble.ts` (nonces, fee cap, gas limit) and `run.ts` (what the engine refuses).
 *
 * This class composes them. Isolation: whatever one bundle makes the engine answer (a refusal,
 * a request too large, something unreadable), it fails that bundle alone (code
 * 'simulation-failed'); only a transport failure (engine unreachable) rejects the whole call.
 *
 * Never sends a transaction, never changes the engine's state.
 */
import type { EngineClient } from '@sealane/engine';
import { assemble, failed, reverting, undecodable } from './assemble';
import { qty } from './call-args';
import { firstFailing } from './prefix-search';
import { RpcBatcher, isRpcError, isTransportFailure } from './rpc-batcher';
import { type RunResult, runTxs } from './run';
import { EmptyBundleError } from './simulator.error';
import { traceChain } from './trace-chain';
import { type Prepared, TxDecoder } from './tx-decoder';
import type {
  AccountRead,
  BundleInput,
  BundleSimulation,
  RawTx,
  SequenceSimulation,
  SimulateOptions,
  SimulationContext,
  SimulatorOptions,
} from './types';

export class BundleSimulator {
  private readonly rpc: RpcBatcher;
  private readonly decoder: TxDecoder;

  constructor(engine: EngineClient, opts: SimulatorOptions) {
    this.rpc = new RpcBatcher(engine, { maxBatch: opts.maxBatch ?? 200, maxInFlight: opts.maxInFlight ?? 4 });
    this.decoder = new TxDecoder(opts.chainId, opts.cacheSize ?? 20_000);
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
          prepared = this.decoder.bundle(b.txs);
          const bad = prepared.findIndex((p) => !p.tx);
          if (bad >= 0) return undecodable(prepared, bad, ctx);
          const run = await runTxs(this.rpc, prepared, ctx);
          const r = assemble(prepared, run, 0, ctx, reverting(b), new Map());
          // Keys matter only for a bundle that can win; tracing an invalid one is wasted work.
          if (!keys || !r.valid) return r;
          run.traces = await traceChain(this.rpc, prepared, ctx);
          return assemble(prepared, run, 0, ctx, reverting(b), new Map());
        } catch (e) {
          return failed(prepared, e, ctx);
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
        return this.decoder.bundle(b.txs);
      } catch (e) {
        out[i] = { ...failed([], e, ctx), included: false };
        return [];
      }
    });
    let included: number[] = [];
    prepared.forEach((p, i) => {
      if (out[i]) return;
      const bad = p.findIndex((t) => !t.tx);
      if (bad >= 0) out[i] = { ...undecodable(p, bad, ctx), included: false };
      else included.push(i);
    });
    while (included.length > 0) {
      let run: RunResult;
      try {
        run = await runTxs(
          this.rpc,
          included.flatMap((i) => prepared[i]),
          ctx,
        );
        if (opts.stateKeys ?? true)
          run.traces = await traceChain(
            this.rpc,
            included.flatMap((i) => prepared[i]),
            ctx,
          );
      } catch (e) {
        if (isTransportFailure(e)) throw e;
        // The engine could not simulate the sequence: the first bundle whose prefix fails goes.
        const bad = await this.firstFailingBundle(included, prepared, ctx);
        out[bad] = { ...failed(prepared[bad], e, ctx), included: false };
        included = included.filter((i) => i !== bad);
        continue;
      }
      const nonces = new Map<string, number>();
      let offset = 0;
      let failedAt = -1;
      for (const i of included) {
        let r: BundleSimulation;
        try {
          r = assemble(prepared[i], run, offset, ctx, reverting(bundles[i]), nonces);
        } catch (e) {
          r = failed(prepared[i], e, ctx);
        }
        out[i] = { ...r, included: r.valid };
        if (!r.valid) {
          failedAt = i;
          break;
        }
        offset += prepared[i].length;
      }
      if (failedAt < 0) break;
      included = included.filter((i) => i !== failedAt);
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

  /**
   * The bundle (of `included`) whose sequence prefix the engine first fails to simulate: the
   * same binary search as for a refused transaction, over bundles. When every prefix runs, the
   * last bundle is blamed.
   */
  private async firstFailingBundle(
    included: number[],
    prepared: Prepared[][],
    ctx: SimulationContext,
  ): Promise<number> {
    const culprit = await firstFailing<void, unknown>(included.length, async (k) => {
      try {
        await runTxs(
          this.rpc,
          included.slice(0, k).flatMap((i) => prepared[i]),
          ctx,
        );
        return { ok: undefined };
      } catch (e) {
        if (isTransportFailure(e)) throw e;
        return { failed: e };
      }
    });
    return included[culprit.index];
  }
}
