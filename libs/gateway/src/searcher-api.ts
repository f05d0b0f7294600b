/**
 * The Flashbots-compatible searcher API: eth_sendBundle, eth_cancelBundle,
 * flashbots_getBundleStatsV2, and Sealane's sealane_getBundleStatus, sealane_getSlotResults,
 * sealane_getBidProof. Every method but the results is authenticated with X-Flashbots-Signature,
 * and a bundle's status or proof is answered only to the searcher that signed it.
 */
import { bidLeaf, bidProof } from '@sealane/auction';
import {
  BundleNotFoundError,
  BundleTooLargeError,
  bundleHash,
  FLASHBOTS_HEADER,
  fromHex,
  InvalidBundleError,
  SealaneError,
  SlotClosedError,
  toHex,
  checkFlashbotsSigner,
  parseFlashbotsSignature,
  parseTransaction,
  RateLimitedError,
  withSender,
  type FlashbotsAuth,
  type ParsedTx,
  type RecoverableSignature,
  type SignerRecovery,
} from '@sealane/protocol';
import { arity, hash32, hexData, invalidParams, type JsonRpcDispatcher, type RpcContext } from '@sealane/rpc';
import type { ParamsStore } from '@sealane/store';
import type { BundleStatus, BundleStore, ReplacementGuard, StoredBundle } from '@sealane/store';
import { WorkLimiter } from './work-limiter';

/** Flashbots' limits for one bundle. */
export const MAX_BUNDLE_TXS = 100;
export const MAX_BUNDLE_BYTES = 300_000;
/** How far ahead of the open slot a bundle may target. */
export const MAX_SLOTS_AHEAD = 100;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export interface SearcherApiDeps {
  chainId: bigint;
  bundles: BundleStore;
  params: ParamsStore;
  /** Recovers the auth signature and the transactions' senders of a request together. */
  recovery: SignerRecovery;
  /** The highest sealed L2 block. */
  sealedHead(): Promise<number>;
  /** Simulates signed transactions as block `number` on the state after block `stateBlock`. */
  callBundle(req: CallBundleRequest): Promise<unknown>;
  /** Bounds on eth_callBundle's simulations; by default those of the README's settings. */
  callBundleLimits?: CallBundleLimits;
}

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

function object(v: unknown, name: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalidParams(`${name} must be an object`);
  return v as Record<string, unknown>;
}

function quantity(v: unknown, name: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{1,13}$/.test(v)) return Number(v);
  throw invalidParams(`${name} must be a 0x quantity`);
}

/** BuilderNet's replacementNonce: a number, a decimal string or a 0x quantity, up to 2^53 - 1. */
function replacementNonceOf(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'string' && /^(0x[0-9a-fA-F]{1,14}|[0-9]{1,16})$/.test(v)
        ? Number(v)
        : NaN;
  if (!Number.isSafeInteger(n) || n < 0)
    throw invalidParams('replacementNonce must be a non-negative integer below 2^53');
  return n;
}

function optionalNumber(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  return quantity(v, name);
}

/** A bundle's signed transactions as lowercase hex, within Flashbots' limits. */
function bundleTxs(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0)
    throw invalidParams('txs must be a non-empty array of signed transactions');
  if (v.length > MAX_BUNDLE_TXS)
    throw new BundleTooLargeError(`a bundle holds at most ${MAX_BUNDLE_TXS} transactions`);
  const raws = v.map((t, i) => hexData(t, `txs[${i}]`).toLowerCase());
  const bytes = raws.reduce((n, r) => n + (r.length - 2) / 2, 0);
  if (bytes > MAX_BUNDLE_BYTES)
    throw new BundleTooLargeError(`a bundle holds at most ${MAX_BUNDLE_BYTES} bytes, this one ${bytes}`);
  return raws;
}

/** Runs `fn` for the bundle's transaction `i`; an error it throws keeps its kind and code and says which. */
function atTx<T>(i: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SealaneError)) throw e;
    const Kind = e.constructor as new (
      message: string,
      o: { cause: unknown; data?: unknown },
    ) => SealaneError;
    throw new Kind(`txs[${i}]: ${e.message}`, { cause: e, data: e.data });
  }
}

function hashList(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParams(`${name} must be an array of transaction hashes`);
  return v.map((h, i) => hash32(h, `${name}[${i}]`));
}

/**
 * How long the sealed head and a slot's parameters are reused between requests. Staleness is
 * harmless: the Lua script refuses a bundle for a closed slot whatever the cached head says,
 * and parameters change only through timelocked governance, far ahead of their slot.
 */
const CACHE_MS = 100;

export class SearcherApi {
  private head = { value: 0, at: -Infinity };
  private readonly limits = new Map<number, { value: number; at: number }>();
  private readonly calls: WorkLimiter;
  private readonly callLimits: CallBundleLimits;

  constructor(private readonly deps: SearcherApiDeps) {
    this.callLimits = deps.callBundleLimits ?? DEFAULT_CALL_BUNDLE_LIMITS;
    this.calls = new WorkLimiter(this.callLimits.perSearcher, this.callLimits.global);
  }

  private async sealedHead(): Promise<number> {
    const now = Date.now();
    if (now - this.head.at > CACHE_MS) this.head = { value: await this.deps.sealedHead(), at: now };
    return this.head.value;
  }

  private async bundleLimit(slot: number): Promise<number> {
    const now = Date.now();
    const hit = this.limits.get(slot);
    if (hit && now - hit.at <= CACHE_MS) return hit.value;
    if (this.limits.size > 4 * MAX_SLOTS_AHEAD) this.limits.clear();
    const value = (await this.deps.params.snapshot(slot)).values.bundlesPerSearcherPerSlot;
    this.limits.set(slot, { value, at: now });
    return value;
  }

  register(d: JsonRpcDispatcher): void {
    d.register('eth_sendBundle', (p, ctx) => this.sendBundle(p, ctx))
      .register('eth_cancelBundle', (p, ctx) => this.cancelBundle(p, ctx))
      .register('eth_callBundle', (p, ctx) => this.callBundle(p, ctx))
      .register('flashbots_getBundleStatsV2', (p, ctx) => this.bundleStats(p, ctx))
      .register('sealane_getBundleStatus', (p, ctx) => this.bundleStatus(p, ctx))
      .register('sealane_getSlotResults', (p) => this.slotResults(p))
      .register('sealane_getBidProof', (p, ctx) => this.bidProof(p, ctx));
  }

  /**
   * The searcher that signed the request, recovered with `extra` signatures (a bundle's
   * transactions) in one call to the recovery pool; answers the searcher and the extra signers.
   */
  private async authenticate(
    auth: FlashbotsAuth,
    extra: readonly RecoverableSignature[] = [],
  ): Promise<[searcher: string, signers: (string | null)[]]> {
    const [signer, ...signers] = await this.deps.recovery.recover([auth.signature, ...extra]);
    return [checkFlashbotsSigner(auth, signer), signers];
  }

  /** The header read first, so that a request without a well-formed one is refused before anything else. */
  private authHeader(ctx: RpcContext): FlashbotsAuth {
    return parseFlashbotsSignature(ctx.headers[FLASHBOTS_HEADER], ctx.rawBody);
  }

  private async searcher(ctx: RpcContext): Promise<string> {
    return (await this.authenticate(this.authHeader(ctx)))[0];
  }

  async sendBundle(p: unknown[], ctx: RpcContext): Promise<{ bundleHash: string }> {
    // Governance's emergency pause is checked by the same Lua script that stores the bundle.
    const auth = this.authHeader(ctx);
    // The transactions are parsed before the recovery, so that one message to the recovery
    // threads carries the header's signature and theirs; whatever is wrong with the request is
    // answered only once the header is known to be genuine, as if it had been checked first.
    let request: { o: Record<string, unknown>; raws: string[]; parsed: ParsedTx[] } | undefined;
    let invalid: unknown;
    try {
      arity(p, 1);
      const o = object(p[0], 'bundle');
      const raws = bundleTxs(o.txs);
      const parsed = raws.map((r, i) =>
        atTx(i, () => parseTransaction(fromHex(r), { chainId: this.deps.chainId })),
      );
      request = { o, raws, parsed };
    } catch (e) {
      invalid = e;
    }
    const [searcher, senders] = await this.authenticate(auth, request?.parsed.map((t) => t.signature) ?? []);
    if (!request) throw invalid;
    const { o, raws, parsed } = request;
    const decoded = parsed.map((t, i) => atTx(i, () => withSender(t, senders[i])));
    const txHashes = decoded.map((t) => t.hash);
    if (new Set(txHashes).size !== txHashes.length)
      throw new InvalidBundleError('a bundle may not hold the same transaction twice');
    const slot = quantity(o.blockNumber, 'blockNumber');
    const head = await this.sealedHead();
    if (slot <= head) throw new SlotClosedError(`block ${slot} is already sealed (head ${head})`);
    if (slot > head + MAX_SLOTS_AHEAD)
      throw new InvalidBundleError(`blockNumber ${slot} is more than ${MAX_SLOTS_AHEAD} blocks ahead`);
    const minTimestamp = optionalNumber(o.minTimestamp, 'minTimestamp');
    const maxTimestamp = optionalNumber(o.maxTimestamp, 'maxTimestamp');
    if (
      minTimestamp !== undefined &&
      maxTimestamp !== undefined &&
      maxTimestamp > 0 &&
      minTimestamp > maxTimestamp
    ) {
      throw new InvalidBundleError('minTimestamp is after maxTimestamp');
    }
    const inBundle = new Set(txHashes);
    const revertingTxHashes = hashList(o.revertingTxHashes, 'revertingTxHashes');
    const droppingTxHashes = hashList(o.droppingTxHashes, 'droppingTxHashes');
    for (const h of [...revertingTxHashes, ...droppingTxHashes]) {
      if (!inBundle.has(h)) throw new InvalidBundleError(`${h} is not a transaction of the bundle`);
    }
    let replacementUuid: string | undefined;
    if (o.replacementUuid !== undefined && o.replacementUuid !== null) {
      if (typeof o.replacementUuid !== 'string' || !UUID.test(o.replacementUuid))
        throw invalidParams('replacementUuid must be a UUID');
      replacementUuid = o.replacementUuid.toLowerCase();
    }
    const replacementNonce = replacementNonceOf(o.replacementNonce);
    if (replacementNonce !== undefined && !replacementUuid)
      throw invalidParams('replacementNonce orders the replacements of a replacementUuid: send one with it');
    const hash = toHex(bundleHash(txHashes.map((h) => fromHex(h))));
    const bundle: StoredBundle = {
      bundleHash: hash,
      searcher,
      slot,
      txs: raws,
      txHashes,
      senders: decoded.map((t) => t.from),
      revertingTxHashes,
      droppingTxHashes,
      ...(minTimestamp ? { minTimestamp } : {}),
      ...(maxTimestamp ? { maxTimestamp } : {}),
      ...(replacementUuid ? { replacementUuid } : {}),
      ...(replacementNonce !== undefined ? { replacementNonce } : {}),
      receivedAt: Date.now(),
    };
    await this.deps.bundles.add(
      bundle,
      await this.bundleLimit(slot),
      this.guard(auth, ctx, replacementNonce),
    );
    return { bundleHash: hash };
  }

  /**
   * What makes this request newer than the last one for its uuid: its nonce, and its id (the
   * signed body's digest and its place in a batch), so a replayed body is never accepted twice.
   */
  private guard(auth: FlashbotsAuth, ctx: RpcContext, replacementNonce?: number): ReplacementGuard {
    return {
      ...(replacementNonce !== undefined ? { replacementNonce } : {}),
      requestId: toHex(auth.signature.digest) + (ctx.batchIndex === undefined ? '' : `:${ctx.batchIndex}`),
    };
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

  /** Cancels a uuid's bundle; like a replacement it must be newer (replacementNonce, never a replay). */
  async cancelBundle(p: unknown[], ctx: RpcContext): Promise<string[]> {
    const auth = this.authHeader(ctx);
    const [searcher] = await this.authenticate(auth);
    arity(p, 1);
    const o = object(p[0], 'params');
    if (typeof o.replacementUuid !== 'string' || !UUID.test(o.replacementUuid))
      throw invalidParams('replacementUuid must be a UUID');
    const guard = this.guard(auth, ctx, replacementNonceOf(o.replacementNonce));
    return [await this.deps.bundles.cancel(searcher, o.replacementUuid.toLowerCase(), guard)];
  }

  /** The searcher's own bundle only: to anyone else it does not exist. */
  private async ownStatus(hash: string, searcher: string): Promise<BundleStatus> {
    const s = await this.deps.bundles.status(hash);
    if (!s || s.searcher !== searcher) throw new BundleNotFoundError(`no bundle ${hash} from ${searcher}`);
    return s;
  }

  async bundleStatus(p: unknown[], ctx: RpcContext): Promise<BundleStatus> {
    const searcher = await this.searcher(ctx);
    arity(p, 1);
    const hash =
      typeof p[0] === 'object' && p[0] !== null ? (p[0] as { bundleHash?: unknown }).bundleHash : p[0];
    return this.ownStatus(hash32(hash, 'bundleHash'), searcher);
  }

  /** Flashbots' shape, filled from the bundle's status. */
  async bundleStats(p: unknown[], ctx: RpcContext): Promise<Record<string, unknown>> {
    const searcher = await this.searcher(ctx);
    arity(p, 1);
    const o = object(p[0], 'params');
    const s = await this.ownStatus(hash32(o.bundleHash, 'bundleHash'), searcher);
    const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
    const considered = s.simulatedAt !== undefined && s.state !== 'cancelled' && s.state !== 'replaced';
    const sealed = s.state === 'included';
    return {
      isHighPriority: true,
      isSimulated: s.simulatedAt !== undefined,
      simulatedAt: iso(s.simulatedAt),
      receivedAt: iso(s.receivedAt),
      consideredByBuildersAt: considered ? [{ pubkey: 'sealane', timestamp: iso(s.simulatedAt) }] : [],
      sealedByBuildersAt: sealed ? [{ pubkey: 'sealane', timestamp: iso(s.simulatedAt) }] : [],
      sealane: s,
    };
  }

  async slotResults(p: unknown[]): Promise<unknown> {
    arity(p, 1);
    return this.deps.bundles.results(quantity(p[0], 'block number'));
  }

  async bidProof(
    p: unknown[],
    ctx: RpcContext,
  ): Promise<{ slot: number; leaf: string; proof: string[]; root: string }> {
    const searcher = await this.searcher(ctx);
    arity(p, 1);
    const hash =
      typeof p[0] === 'object' && p[0] !== null ? (p[0] as { bundleHash?: unknown }).bundleHash : p[0];
    const s = await this.ownStatus(hash32(hash, 'bundleHash'), searcher);
    const results = await this.deps.bundles.results(s.slot);
    if (!results || s.value === undefined)
      throw new BundleNotFoundError(`the results of block ${s.slot} are not published yet`);
    const leaf = bidLeafOf(s);
    const leaves = results.leaves.map((l) => fromHex(l));
    if (!results.leaves.includes(toHex(leaf)))
      throw new BundleNotFoundError(`bundle ${s.bundleHash} was not counted in block ${s.slot}`);
    return {
      slot: s.slot,
      leaf: toHex(leaf),
      proof: bidProof(leaves, leaf).map((x) => toHex(x)),
      root: results.bidsRoot,
    };
  }
}

/** The leaf of a bid counted at the close, from its status record. */
export function bidLeafOf(s: BundleStatus): Uint8Array {
  return bidLeaf(s.slot, {
    bundleHash: s.bundleHash,
    searcher: s.searcher,
    value: BigInt(s.value ?? 0),
    gasUsed: BigInt(s.gasUsed ?? 0),
  });
}
