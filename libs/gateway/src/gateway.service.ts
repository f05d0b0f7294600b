/**
 * The JSON-RPC methods of the gateway. Stateless: validates, writes to Redis in one round
 * trip, answers. Read calls go to the L2 engine; nothing that controls the engine is exposed.
 */
import { registerForcedApi } from './forced-api';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, EventBus, MEMPOOL_DOMAIN, REDIS } from '@sealane/core';
import type { MempoolDomain } from '@sealane/mempool';
import { MempoolApi } from './mempool-api';
import type { SealaneConfig } from '@sealane/config';
import { EngineRpcError, L2Engine } from '@sealane/engine';
import type { Params } from '@sealane/params';
import { KeyperStore, ParamsStore } from '@sealane/store';
import { EonKeysSource, keyperSetOf } from '@sealane/keyper';
import { keyperPublicKey, registerKeyperApi } from './keyper-api';
import { sendRawTransactionSync } from './send-sync';
import {
  fromHex,
  GasLimitTooHighError,
  InvalidBundleError,
  parseTransaction,
  isSealaneError,
  SealaneError,
  StoreUnavailableError,
  UpstreamError,
  withSender,
  type SignerRecovery,
} from '@sealane/protocol';
import {
  address,
  arity,
  blockTag,
  hash32,
  hexData,
  invalidParams,
  JsonRpcDispatcher,
  RpcError,
  type RpcContext,
} from '@sealane/rpc';
import {
  BundleStore,
  ChainStore,
  CommitStore,
  DEFAULT_NONCE_WINDOW,
  Keys,
  PublicLane,
  type SealaneRedis,
} from '@sealane/store';
import { EngineAccounts } from './engine-accounts';
import type { CallBundleRequest } from './call-bundle-api';
import { SearcherApi } from './searcher-api';
import { GovernanceApi } from './governance-api';
import { BundleSimulator, callBundleJson, slotContext } from '@sealane/simulator';
import { Wallet } from 'ethers';
import { SIGNER_RECOVERY } from './signer-recovery';
import { readPosterStatus } from '@sealane/store';
import { SealaneMetrics } from '@sealane/observe';

/** Read-only methods answered by the L2 engine as they are. */
export const FORWARDED_METHODS = [
  'eth_blockNumber',
  'eth_getBalance',
  'eth_getCode',
  'eth_getStorageAt',
  'eth_call',
  'eth_estimateGas',
  'eth_gasPrice',
  'eth_maxPriorityFeePerGas',
  'eth_feeHistory',
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_getBlockTransactionCountByNumber',
  'eth_getBlockTransactionCountByHash',
  'eth_getTransactionByHash',
  'eth_getTransactionReceipt',
  'eth_getLogs',
  'eth_syncing',
] as const;

const PARAMS_TTL_MS = 1000;
/** As long as the builder keeps the status of an included or skipped transaction. */
const REPLACED_STATUS_TTL_SEC = 7 * 24 * 3600;

@Injectable()
export class GatewayService {
  private readonly logger = new Logger('gateway');
  readonly dispatcher: JsonRpcDispatcher;
  private params: { values: Params; at: number } | null = null;
  private readonly simulator: BundleSimulator;
  /** Where the sequencer's blocks pay: the default coinbase of eth_callBundle. */
  private readonly feeRecipient: string;
  private readonly accounts: EngineAccounts;

  constructor(
    @Inject(CONFIG) private readonly config: SealaneConfig,
    private readonly engine: L2Engine,
    private readonly lane: PublicLane,
    private readonly paramsStore: ParamsStore,
    readonly events: EventBus,
    @Inject(REDIS) private readonly redis: SealaneRedis,
    keys: Keys,
    @Inject(MEMPOOL_DOMAIN) mempoolDomain: MempoolDomain,
    @Inject(SIGNER_RECOVERY) private readonly recovery: SignerRecovery,
    metrics: SealaneMetrics,
  ) {
    const chainIdHex = '0x' + config.L2_CHAIN_ID.toString(16);
    metrics.watchRecoveryQueue(() => recovery.queued ?? 0);
    const chain = new ChainStore(redis, keys);
    const sealedHead = () => chain.sealedHead();
    this.accounts = new EngineAccounts(engine, sealedHead);
    this.simulator = new BundleSimulator(engine, { chainId: BigInt(config.L2_CHAIN_ID) });
    this.feeRecipient = new Wallet(config.SEQUENCER_PRIVATE_KEY).address.toLowerCase();
    this.dispatcher = new JsonRpcDispatcher({
      maxBatch: config.RPC_MAX_BATCH,
      onInternalError: (e, method) => this.logger.error(`${method}: ${(e as Error)?.stack ?? String(e)}`),
      ...(metrics.enabled
        ? { onAnswered: (m: string, code: number, ms: number) => metrics.rpc(m, code, ms) }
        : {}),
      // ioredis gives no code for "not connected"; its connection status says it instead.
      translateError: (e) =>
        !isSealaneError(e) && redis.status !== 'ready'
          ? new StoreUnavailableError('the sequencer store (Redis) is unavailable; try again', {
              cause: e,
            })
          : undefined,
    })
      .register('eth_chainId', () => chainIdHex)
      .register('net_version', () => String(config.L2_CHAIN_ID))
      .register('web3_clientVersion', () => 'sealane/0.1.0')
      .register('eth_sendRawTransaction', (p) => this.sendRawTransaction(p))
      .register('eth_sendRawTransactionSync', (p) =>
        sendRawTransactionSync(p, {
          send: (raw) => this.sendRawTransaction([raw]),
          status: (hash) => this.lane.status(hash),
          receipt: (hash) => this.forward('eth_getTransactionReceipt', [hash]),
          defaultMs: config.SEND_SYNC_TIMEOUT_MS,
          maxMs: config.SEND_SYNC_MAX_TIMEOUT_MS,
        }),
      )
      .register('eth_getTransactionCount', (p) => this.getTransactionCount(p))
      .register('sealane_getTransactionStatus', (p) => {
        arity(p, 1);
        return this.lane.status(hash32(p[0], 'transaction hash'));
      });
    for (const m of FORWARDED_METHODS) this.dispatcher.register(m, (p) => this.forward(m, p));
    new SearcherApi({
      chainId: BigInt(config.L2_CHAIN_ID),
      bundles: new BundleStore(redis, keys),
      params: paramsStore,
      recovery,
      sealedHead,
      callBundle: (req) => this.callBundle(req),
      callBundleLimits: {
        perSearcher: config.CALL_BUNDLE_PER_SEARCHER,
        global: config.CALL_BUNDLE_MAX_IN_FLIGHT,
        perBody: config.CALL_BUNDLE_PER_BODY,
      },
    }).register(this.dispatcher);
    const keyperStore = new KeyperStore(redis, keys);
    const eon = new EonKeysSource(keyperStore, keyperSetOf(config));
    new MempoolApi({
      chainId: BigInt(config.L2_CHAIN_ID),
      store: new CommitStore(redis, keys),
      params: paramsStore,
      sequencer: new Wallet(config.SEQUENCER_PRIVATE_KEY),
      domain: mempoolDomain,
      sealedHead,
      slotEndMs: (head) => chain.slotEndMs(head, paramsStore, () => engine.genesisMs()),
      recovery,
      // The same head-keyed, per-turn batched reads as the public lane's send-time checks.
      account: (address) => this.engineAccount(address),
      keyperPublicKey: () => keyperPublicKey(eon),
    }).register(this.dispatcher);
    registerKeyperApi(this.dispatcher, { eon, store: keyperStore, sealedHead });
    new GovernanceApi({
      config,
      redis,
      keys,
      params: paramsStore,
      metrics,
      logger: new Logger('governance'),
    }).register(this.dispatcher);
    registerForcedApi(this.dispatcher, redis, keys);
    // The poster writes its status to Redis after every pass; any gateway can answer for it.
    this.dispatcher.register('sealane_getPosterStatus', (p) => {
      arity(p, 0);
      return readPosterStatus(redis, keys);
    });
  }

  handle(rawBody: string, headers: RpcContext['headers']) {
    return this.dispatcher.handle(rawBody, headers);
  }

  private async currentParams(): Promise<Params> {
    const now = Date.now();
    if (!this.params || now - this.params.at > PARAMS_TTL_MS) {
      // The gateway only needs limits, so the newest version, up to a second old, is fine.
      const snap = await this.paramsStore.snapshot(Number.MAX_SAFE_INTEGER);
      this.params = { values: snap.values, at: now };
    }
    return this.params.values;
  }

  private async sendRawTransaction(p: unknown[]): Promise<string> {
    arity(p, 1);
    const rawHex = hexData(p[0], 'raw transaction').toLowerCase();
    const parsed = parseTransaction(fromHex(rawHex), { chainId: BigInt(this.config.L2_CHAIN_ID) });
    const tx = withSender(parsed, (await this.recovery.recover([parsed.signature]))[0]);
    if (tx.gasLimit > BigInt(this.config.L2_BLOCK_GAS_LIMIT)) {
      throw new GasLimitTooHighError(
        `gas limit ${tx.gasLimit} exceeds the block gas limit ${this.config.L2_BLOCK_GAS_LIMIT}`,
      );
    }
    const [params, account] = await Promise.all([this.currentParams(), this.engineAccount(tx.from)]);
    await this.lane.add(tx, rawHex, account, {
      capacity: params.publicPoolCapacity,
      nonceWindow: DEFAULT_NONCE_WINDOW,
      statusTtlSec: REPLACED_STATUS_TTL_SEC,
    });
    return tx.hash;
  }

  private async engineAccount(address: string) {
    try {
      return await this.accounts.get(address);
    } catch (e) {
      // The account reader needs both: say which one is down.
      if (this.redis.status !== 'ready')
        throw new StoreUnavailableError('the sequencer store (Redis) is unavailable; try again', {
          cause: e,
        });
      throw new UpstreamError('the L2 engine is unavailable', { cause: e });
    }
  }

  private async callBundle(req: CallBundleRequest): Promise<unknown> {
    const parent = await this.engine.getBlock(
      req.stateBlockNumber === 'latest' ? 'latest' : req.stateBlockNumber,
    );
    if (!parent) throw invalidParams(`state block ${req.stateBlockNumber} does not exist`);
    if (req.blockNumber <= Number(parent.number)) {
      throw invalidParams(
        `blockNumber ${req.blockNumber} must be after the state block ${Number(parent.number)}`,
      );
    }
    const params = await this.currentParams();
    const ctx = {
      ...slotContext(parent, {
        timestamp: req.timestamp ?? Number(parent.timestamp) + Math.ceil(params.slotMs / 1000),
        feeRecipient: req.coinbase ?? this.feeRecipient,
      }),
      number: req.blockNumber,
    };
    try {
      const sim = await this.simulator.simulate(req.txs, ctx);
      if (!sim.valid && sim.failure && sim.failure.code !== 'reverted') {
        throw new InvalidBundleError(
          `tx ${sim.failure.txIndex} (${sim.failure.txHash}): ${sim.failure.message}`,
          {
            data: { code: sim.failure.code, txIndex: sim.failure.txIndex, txHash: sim.failure.txHash },
          },
        );
      }
      return callBundleJson(sim);
    } catch (e) {
      if (e instanceof InvalidBundleError || e instanceof SealaneError) throw e;
      if (e instanceof EngineRpcError)
        throw new UpstreamError(`the L2 engine could not simulate: ${e.rpcMessage}`, { cause: e });
      throw e;
    }
  }

  private async getTransactionCount(p: unknown[]): Promise<string> {
    arity(p, 1, 2);
    const addr = address(p[0], 'address');
    const tag = blockTag(p[1], 'block');
    if (tag !== 'pending') return this.forward('eth_getTransactionCount', [addr, tag]);
    const latest = Number(await this.forward('eth_getTransactionCount', [addr, 'latest']));
    return '0x' + (await this.lane.pendingNonce(addr, latest)).toString(16);
  }

  private async forward<T = unknown>(method: string, params: unknown[]): Promise<T> {
    try {
      return await this.engine.call<T>(method, params);
    } catch (e) {
      if (e instanceof EngineRpcError && e.method === method)
        throw new RpcError(e.code, e.rpcMessage, e.data);
      throw new UpstreamError('the L2 engine is unavailable', { cause: e });
    }
  }
}
