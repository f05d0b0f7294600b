/**
 * The Flashbots-compatible searcher API: eth_sendBundle, eth_cancelBundle, eth_callBundle,
 * flashbots_getBundleStatsV2, and Sealane's sealane_getBundleStatus, sealane_getSlotResults,
 * sealane_getBidProof. Every method but the results is authenticated with X-Flashbots-Signature,
 * and a bundle's status or proof is answered only to the searcher that signed it.
 */
import { bidLeaf, bidProof } from '@sealane/auction';
import {
  BundleNotFoundError,
  bundleHash,
  FLASHBOTS_HEADER,
  fromHex,
  InvalidBundleError,
  SlotClosedError,
  toHex,
  checkFlashbotsSigner,
  parseFlashbotsSignature,
  parseTransaction,
  withSender,
  type FlashbotsAuth,
  type ParsedTx,
  type RecoverableSignature,
  type SignerRecovery,
} from '@sealane/protocol';
import { arity, hash32, invalidParams, type JsonRpcDispatcher, type RpcContext } from '@sealane/rpc';
import type { ParamsStore } from '@sealane/store';
import type { BundleStatus, BundleStore, ReplacementGuard, StoredBundle } from '@sealane/store';
import {
  atTx,
  bundleTxs,
  hashList,
  object,
  optionalNumber,
  quantity,
  replacementNonceOf,
  UUID,
} from './bundle-params';
import { CallBundleApi, type CallBundleLimits, type CallBundleRequest } from './call-bundle-api';

/** How far ahead of the open slot a bundle may target. */
export const MAX_SLOTS_AHEAD = 100;

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
 * How long the sealed head and a slot's parameters are reused between requests. Staleness is
 * harmless: the Lua script refuses a bundle for a closed slot whatever the cached head says,
 * and parameters change only through timelocked governance, far ahead of their slot.
 */
const CACHE_MS = 100;

export class SearcherApi {
  private head = { value: 0, at: -Infinity };
  private readonly limits = new Map<number, { value: number; at: number }>();
  private readonly calls: CallBundleApi;

  constructor(private readonly deps: SearcherApiDeps) {
    this.calls = new CallBundleApi((ctx) => this.searcher(ctx), deps);
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
      .register('eth_callBundle', (p, ctx) => this.calls.callBundle(p, ctx))
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
