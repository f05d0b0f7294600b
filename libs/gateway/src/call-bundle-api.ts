/**
 * eth_callBundle: Flashbots' simulation of a bundle on a given state and block, with bounds on
 * the simulations one request body, one searcher and all searchers may have in flight.
 */
import { RateLimitedError } from '@sealane/protocol';
import { arity, invalidParams, type RpcContext } from '@sealane/rpc';
import { bundleTxs, object, optionalNumber, quantity } from './bundle-params';
import { WorkLimiter } from './work-limiter';

/**
 * How many eth_callBundle simulations may run at once: per searcher, in all, and how many one
 * request body (a batch) may ask for. Beyond them a call is answered RateLimitedError at once
 * rather than queued without bound, so junk never turns into latency for anyone else.
 */
export interface CallBundleLimits {
  perSearcher: number;
  global: number;
  perBody: number;
}

export const DEFAULT_CALL_BUNDLE_LIMITS: CallBundleLimits = { perSearcher: 2, global: 4, perBody: 8 };

export interface CallBundleRequest {
  txs: string[];
  blockNumber: number;
  /** A block number, or 'latest'. */
  stateBlockNumber: number | 'latest';
  timestamp?: number;
  coinbase?: string;
}

export class CallBundleApi {
  private readonly calls: WorkLimiter;
  private readonly callLimits: CallBundleLimits;

  /** `searcher` authenticates a request; `deps` are the searcher API's (see SearcherApiDeps). */
  constructor(
    private readonly searcher: (ctx: RpcContext) => Promise<string>,
    private readonly deps: {
      callBundle(req: CallBundleRequest): Promise<unknown>;
      callBundleLimits?: CallBundleLimits;
    },
  ) {
    this.callLimits = deps.callBundleLimits ?? DEFAULT_CALL_BUNDLE_LIMITS;
    this.calls = new WorkLimiter(this.callLimits.perSearcher, this.callLimits.global);
  }

  /**
   * Flashbots' simulation: the bundle on a given state and block, answered like Flashbots. The
   * simulations one body, one searcher and all searchers may have in flight are bounded.
   */
  async callBundle(p: unknown[], ctx: RpcContext): Promise<unknown> {
    // Counted before any await, so that a batch's items are counted in their order.
    const inBody = (ctx.perBody?.get('eth_callBundle') ?? 0) + 1;
    ctx.perBody?.set('eth_callBundle', inBody);
    const searcher = await this.searcher(ctx);
    if (inBody > this.callLimits.perBody)
      throw new RateLimitedError(
        `at most ${this.callLimits.perBody} eth_callBundle in one request body; this is number ${inBody}`,
        { data: { limit: this.callLimits.perBody } },
      );
    const release = this.calls.tryAcquire(searcher);
    if (typeof release === 'string')
      throw new RateLimitedError(
        release === 'searcher'
          ? `at most ${this.callLimits.perSearcher} eth_callBundle of one searcher in flight (and as many waiting): try again`
          : `the gateway is simulating ${this.callLimits.global} bundles (and as many waiting): try again`,
        { data: { limit: release === 'searcher' ? this.callLimits.perSearcher : this.callLimits.global } },
      );
    try {
      await release.ready;
      return await this.simulate(p);
    } finally {
      release.done();
    }
  }

  private async simulate(p: unknown[]): Promise<unknown> {
    arity(p, 1);
    const o = object(p[0], 'bundle');
    const txs = bundleTxs(o.txs);
    const state =
      o.stateBlockNumber === undefined || o.stateBlockNumber === 'latest'
        ? 'latest'
        : quantity(o.stateBlockNumber, 'stateBlockNumber');
    let coinbase: string | undefined;
    if (o.coinbase !== undefined && o.coinbase !== null) {
      if (typeof o.coinbase !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(o.coinbase))
        throw invalidParams('coinbase must be an address');
      coinbase = o.coinbase.toLowerCase();
    }
    return this.deps.callBundle({
      txs,
      blockNumber: quantity(o.blockNumber, 'blockNumber'),
      stateBlockNumber: state,
      timestamp: optionalNumber(o.timestamp, 'timestamp'),
      coinbase,
    });
  }
}
