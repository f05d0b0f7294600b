/**
 * Readiness (`GET /ready`), beside liveness (`GET /health`): whether this process can do its
 * work now. It checks Redis and the L2 engine (every component needs them), L1 and the Inbox
 * (required only where the poster runs), and reports who leads, the sealed head and the
 * poster's lag. It turns not-ready as soon as a stop begins, so a load balancer drains first.
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { SealaneConfig } from '@sealane/config';
import { CONFIG, ENDPOINTS, probeChain, probeInbox, probeRedis, REDIS, type Endpoints } from '@sealane/core';
import { L2Engine } from '@sealane/engine';
import { ChainStore, Keys, type EngineStatus, type SealaneRedis } from '@sealane/store';

export interface CheckResult {
  ok: boolean;
  /** Whether a failure makes this process not ready. */
  required: boolean;
  error?: string;
}

export interface Readiness {
  ready: boolean;
  stopping: boolean;
  checks: Record<'redis' | 'l2' | 'l1' | 'inbox', CheckResult>;
  /** The builder holding the lease (null: none leads now, a standby takes over). */
  leader: string | null;
  sealedHead: number | null;
  engineHead: number | null;
  /** Sealed L2 blocks no batch on L1 covers yet (null when unknown). */
  posterLag: number | null;
  /** The builder's view of the engine: a rebuild from the records in progress, or the last one. */
  engine: EngineStatus | null;
}

/** Ready when not stopping and every required check passed (pure). */
export function isReady(checks: Readiness['checks'], stopping: boolean): boolean {
  return !stopping && Object.values(checks).every((c) => c.ok || !c.required);
}

@Injectable()
export class ReadinessService implements OnModuleDestroy {
  private stopping = false;

  constructor(
    @Inject(CONFIG) private readonly config: SealaneConfig,
    @Inject(ENDPOINTS) private readonly endpoints: Endpoints,
    @Inject(REDIS) private readonly redis: SealaneRedis,
    private readonly keys: Keys,
    private readonly engine: L2Engine,
  ) {}

  onModuleDestroy(): void {
    this.stopping = true;
  }

  async check(): Promise<Readiness> {
    const needsL1 = this.config.COMPONENTS.includes('poster');
    const [redis, l2, l1, inbox] = await Promise.all([
      probeRedis(this.redis),
      probeChain(this.endpoints.l2RpcUrl, this.config.L2_CHAIN_ID, 2000),
      probeChain(this.endpoints.l1RpcUrl, this.config.L1_CHAIN_ID, 2000),
      probeInbox(this.endpoints.l1RpcUrl, this.endpoints.inboxAddress, 2000),
    ]);
    const result = (p: { ok: boolean; error?: string }, required: boolean): CheckResult =>
      p.ok ? { ok: true, required } : { ok: false, required, error: p.error };
    const checks = {
      redis: result(redis, true),
      l2: result(l2, true),
      l1: result(l1, needsL1),
      inbox: result(inbox, needsL1),
    };
    const [leader, sealedHead, engine] = redis.ok ? await this.chainState() : [null, null, null];
    // An engine being rebuilt answers, but with a chain short of the sealed one: not ready.
    if (engine?.state === 'rebuilding') {
      checks.l2 = {
        ok: false,
        required: true,
        error: `rebuilding the L2 engine: block ${engine.from + engine.done} of ${engine.to}`,
      };
    }
    // The Inbox's nextBlock is the first L2 block no batch on L1 covers yet.
    const nextBlock = inbox.ok ? inbox.value : null;
    const engineHead = l2.ok ? await this.engine.blockNumber().catch(() => null) : null;
    return {
      ready: isReady(checks, this.stopping),
      stopping: this.stopping,
      checks,
      leader,
      sealedHead,
      engineHead,
      posterLag: sealedHead !== null && nextBlock !== null ? Math.max(0, sealedHead - (nextBlock - 1)) : null,
      engine,
    };
  }

  private async chainState(): Promise<[string | null, number | null, EngineStatus | null]> {
    try {
      const chain = new ChainStore(this.redis, this.keys);
      return await Promise.all([chain.leader(), chain.sealedHead(), chain.engineStatus()]);
    } catch {
      return [null, null, null];
    }
  }
}
