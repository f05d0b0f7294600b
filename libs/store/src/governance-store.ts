/**
 * The Redis adapter of governance (its GovernanceStorePort): proposals, their signatures and
 * nonces, the schedule of parameter changes, the intake pause and the history. Every step that
 * must be atomic is one Lua script (commands/gov*.lua), run through scripts.ts.
 */
import { randomBytes } from 'node:crypto';
import type {
  DecideResult,
  GovernanceStorePort,
  HistoryEntry,
  PauseChange,
  ProposalRecord,
  ProposalStatus,
  ScheduledChange,
  ScheduleRequest,
  ScheduleResult,
  StoredSignature,
} from '@sealane/governance';
import { ChainStore } from './chain-store';
import type { Keys } from './names';
import type { SealaneRedis } from './redis';
import { Scripts } from './scripts';

export class GovernanceStore implements GovernanceStorePort {
  private readonly scripts: Scripts;
  private readonly chain: ChainStore;

  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {
    this.scripts = new Scripts(redis, keys);
    this.chain = new ChainStore(redis, keys);
  }

  /** A random id made once per deployment (Redis + prefix); the first writer wins. */
  async deploymentId(): Promise<string> {
    const k = this.keys.govDeploymentId();
    await this.redis.set(k, '0x' + randomBytes(32).toString('hex'), 'NX');
    return (await this.redis.get(k))!;
  }

  sealedHead(): Promise<number> {
    return this.chain.sealedHead();
  }

  async nextNonce(): Promise<number> {
    return Number((await this.redis.get(this.keys.govNonce())) ?? 0);
  }

  async revision(): Promise<number> {
    return Number((await this.redis.get(this.keys.govRevision())) ?? 0);
  }

  /**
   * Stores a new proposal with its first signatures (claiming no nonce); 'exists' if the same
   * proposal is already stored. Throws on a stale, reused or out-of-window nonce.
   */
  propose(rec: ProposalRecord, sigs: StoredSignature[]): Promise<'stored' | 'exists'> {
    return this.scripts.govPropose(rec, sigs);
  }

  /** Adds signatures to a pending proposal; returns how many it holds now. */
  approve(id: string, sigs: StoredSignature[]): Promise<number> {
    return this.scripts.govApprove(id, sigs);
  }

  async record(id: string): Promise<ProposalRecord | null> {
    const json = await this.redis.hget(this.keys.govProposals(), id.toLowerCase());
    return json ? (JSON.parse(json) as ProposalRecord) : null;
  }

  async status(id: string): Promise<ProposalStatus | null> {
    return (await this.redis.hget(this.keys.govStatus(), id.toLowerCase())) as ProposalStatus | null;
  }

  async signatures(id: string): Promise<StoredSignature[]> {
    const h = await this.redis.hgetall(this.keys.govSignatures(id));
    return Object.entries(h)
      .map(([member, json]) => ({ member, ...(JSON.parse(json) as { signature: string; at: number }) }))
      .sort((a, b) => a.at - b.at || a.member.localeCompare(b.member));
  }

  /** The activation slot of a scheduled proposal, if it is scheduled. */
  async activationSlot(id: string): Promise<number | undefined> {
    const s = await this.redis.zscore(this.keys.govSchedule(), id.toLowerCase());
    return s === null ? undefined : Number(s);
  }

  async ids(): Promise<Record<string, ProposalStatus>> {
    return (await this.redis.hgetall(this.keys.govStatus())) as Record<string, ProposalStatus>;
  }

  /** Scheduled parameter changes activating at or after `fromSlot`. */
  async scheduledFrom(fromSlot: number): Promise<ScheduledChange[]> {
    const flat = await this.redis.zrangebyscore(this.keys.govSchedule(), fromSlot, '+inf', 'WITHSCORES');
    const out: ScheduledChange[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const rec = await this.record(flat[i]);
      if (!rec || rec.primaryType !== 'ParamsProposal') continue;
      out.push({
        proposalId: rec.id,
        activationSlot: Number(flat[i + 1]),
        seq: rec.message.nonce,
        changes: rec.message.changes,
      });
    }
    return out;
  }

  schedule(r: ScheduleRequest): Promise<ScheduleResult> {
    return this.scripts.govSchedule(r);
  }

  /**
   * Closes a proposal without re-composing (emergency action, cancel while pending); a decision
   * consumes `nonce`. 'status' if the proposal is no longer `expected`, 'stale-nonce' if its nonce is.
   */
  decide(
    id: string,
    expected: ProposalStatus,
    next: ProposalStatus,
    history: HistoryEntry,
    pause: PauseChange,
    nonce?: number,
  ): Promise<DecideResult> {
    return this.scripts.govDecide(id, expected, next, history, pause, nonce);
  }

  async history(offset: number, limit: number): Promise<{ total: number; entries: HistoryEntry[] }> {
    const k = this.keys.govHistory();
    const [total, list] = await Promise.all([
      this.redis.llen(k),
      this.redis.lrange(k, offset, offset + limit - 1),
    ]);
    return { total, entries: list.map((j) => JSON.parse(j) as HistoryEntry) };
  }
}
