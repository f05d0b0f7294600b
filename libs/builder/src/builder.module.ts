import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Queue } from 'bullmq';
import type { SealaneConfig } from '@sealane/config';
import { CONFIG, ENDPOINTS, EventBus, MEMPOOL_DOMAIN, REDIS, type Endpoints } from '@sealane/core';
import { L2Engine } from '@sealane/engine';
import { ParamsStore } from '@sealane/store';
import {
  EVENTS,
  JOBS,
  Keys,
  PublicLane,
  QUEUES,
  redisConnectionOptions,
  type BlockSealedEvent,
  type SealaneRedis,
  type SealedBlockJob,
  type SlotClosedEvent,
} from '@sealane/store';
import { Wallet } from 'ethers';
import { BundleSimulator, type BundleSimulation } from '@sealane/simulator';
import { BundleStore, CommitStore } from '@sealane/store';
import { openCommitment, orderRoot, signSlotOrder, type MempoolDomain } from '@sealane/mempool';
import { fromHex, toHex } from '@sealane/protocol';
import { MempoolRunner, type CommitmentCrypto } from './mempool.runner';
import { Builder } from './builder';
import { AuctionRunner, type BundleOutcome, type BundleSimulatorPort } from './auction.runner';
import { systemClock } from './clock';

/** Runs a Builder in this process: leads when it holds the lease, stands by otherwise. */
@Injectable()
export class BuilderService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('builder');
  readonly builder: Builder;
  private readonly queue: Queue<SealedBlockJob, void, typeof JOBS.sealedBlock>;

  constructor(
    @Inject(CONFIG) config: SealaneConfig,
    @Inject(ENDPOINTS) endpoints: Endpoints,
    @Inject(REDIS) redis: SealaneRedis,
    keys: Keys,
    lane: PublicLane,
    params: ParamsStore,
    engine: L2Engine,
    events: EventBus,
    @Inject(MEMPOOL_DOMAIN) domain: MempoolDomain,
  ) {
    this.queue = new Queue(QUEUES.post, {
      connection: redisConnectionOptions(endpoints.redisUrl),
      prefix: keys.bullPrefix(),
    });
    const prefix = keys.prefix;
    const bundles = new BundleStore(redis, keys);
    const sequencer = new Wallet(config.SEQUENCER_PRIVATE_KEY);
    const commits = new CommitStore(redis, keys);
    const redisNow = async () => {
      const [sec, usec] = await redis.time();
      return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    };
    const simulator = simulatorPort(new BundleSimulator(engine, { chainId: BigInt(config.L2_CHAIN_ID) }));
    this.builder = new Builder(
      redis,
      keys,
      lane,
      params,
      engine,
      systemClock,
      {
        id: config.BUILDER_ID ?? `${hostname()}-${process.pid}`,
        leaseTtlMs: config.LEASE_TTL_MS,
        blockGasLimit: BigInt(config.L2_BLOCK_GAS_LIMIT),
        auction: {
          runner: new AuctionRunner(bundles, simulator),
          simulator,
          bundles,
          feeRecipient: sequencer,
          chainId: config.L2_CHAIN_ID,
        },
        mempool: {
          runner: new MempoolRunner(commits, commitmentCrypto(sequencer, domain), redisNow),
          store: commits,
        },
      },
      {
        slotClosed: (slot, closedAtMs) =>
          events.emit<SlotClosedEvent>(EVENTS.slotClosed, { prefix, slot, closedAtMs }),
        sealed: async (block, skipped) => {
          // The poster also polls, so a job lost to a crash right here only delays a batch.
          await this.queue.add(
            JOBS.sealedBlock,
            { number: block.number },
            { jobId: `block-${block.number}`, removeOnComplete: 1000, removeOnFail: 1000 },
          );
          await events.emit<BlockSealedEvent>(EVENTS.blockSealed, {
            prefix,
            number: block.number,
            hash: block.hash,
            timestamp: block.timestamp,
            txCount: block.txs.length,
            skipped,
          });
          this.logger.log(`sealed block ${block.number}: ${block.txs.length} txs, ${skipped} skipped`);
        },
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.builder.start();
  }

  /** Before the shared connections close (CoreModule closes them on application shutdown). */
  async onModuleDestroy(): Promise<void> {
    await this.builder.stop();
    await this.queue.close();
  }
}

function outcome(b: BundleSimulation): BundleOutcome {
  return {
    ok: b.valid,
    ...(b.failure
      ? {
          error: `${b.failure.code} at tx ${b.failure.txIndex} (${b.failure.txHash}): ${b.failure.message}`,
          failedTx: b.failure.txHash,
        }
      : {}),
    coinbaseDiff: b.coinbaseDiff,
    totalGasUsed: b.totalGasUsed,
    reads: b.reads,
    writes: b.writes,
  };
}

/** @sealane/mempool as the builder's commitment cryptography, signing with the sequencer's key. */
export function commitmentCrypto(sequencer: Wallet, domain: MempoolDomain): CommitmentCrypto {
  return {
    sequencer: sequencer.address.toLowerCase(),
    orderRoot: (slot, commitments) =>
      toHex(
        orderRoot(
          BigInt(slot),
          commitments.map((c) => fromHex(c)),
        ),
      ),
    signOrder: async (o) =>
      toHex(
        signSlotOrder(sequencer, { slot: BigInt(o.slot), count: o.count, root: fromHex(o.root) }, domain),
      ),
    open: (c, keyHex) => {
      const r = openCommitment(
        { sender: c.sender, slot: BigInt(c.slot), ciphertext: fromHex(c.ciphertext) },
        fromHex(keyHex),
        {
          chainId: domain.chainId,
        },
      );
      return r.ok ? { ok: true, raw: toHex(r.tx.raw) } : { ok: false, reason: `${r.reason}: ${r.detail}` };
    },
  };
}

/** @sealane/simulator as the builder's port: the auction's view, and the in-place re-check. */
export function simulatorPort(sim: BundleSimulator): BundleSimulatorPort {
  return {
    simulateMany: async (bundles, ctx) => (await sim.simulateMany(bundles, ctx)).map(outcome),
    simulateSequence: async (bundles, ctx) =>
      (await sim.simulateSequence(bundles, ctx, { stateKeys: false })).bundles.map((b) => ({
        ...outcome(b),
        ok: b.included,
      })),
    accounts: (addresses, parentNumber) => sim.accounts(addresses, parentNumber),
  };
}

@Module({ providers: [BuilderService], exports: [BuilderService] })
export class BuilderModule {}
