/**
 * The Redis adapter of governance: proposals, their signatures and nonces, the schedule of
 * parameter changes, the intake pause and the history. Every step that must be atomic is one
 * Lua script (libs/store/src/commands/gov*.lua); this class maps their codes to errors.
 */
import { randomBytes } from 'node:crypto';
import { DuplicateSignerError, ProposalClosedError, ProposalNotFoundError } from '@sealane/protocol';
import type { Keys, SealaneRedis } from '@sealane/store';
import { checkNonce, NONCE_WINDOW, type MemberSignature } from './rules';
import type { ScheduledChange } from './compose';
import type { EmergencyAction, GovDomain, ParamsProposal } from './typed-data';

export type ProposalStatus = 'pending' | 'scheduled' | 'executed' | 'cancelled';

/** A proposal as stored: immutable once written. */
export type ProposalRecord = {
  id: string;
  domain: GovDomain;
  /** Signatures needed, fixed when proposed (the supermajority for a timelock below its floor). */
  required: number;
  requiredReason?: string;
  proposedAt: number;
  proposedInSlot: number;
} & (
  | { primaryType: 'ParamsProposal'; message: ParamsProposal }
  | { primaryType: 'EmergencyAction'; message: EmergencyAction }
);

export interface StoredSignature extends MemberSignature {
  at: number;
}

export interface HistoryEntry {
  kind: 'params' | 'pause' | 'resume' | 'cancel';
  proposalId: string;
  /** When it was decided (ms since the epoch) and the open slot then. */
  at: number;
  openSlot: number;
  /** For params: where it takes effect, the version it starts, and each value before and after. */
  activationSlot?: number;
  version?: number;
  changes?: { name: string; from: number; to: number }[];
  nonce?: number;
  /** The signatures that decided it (for a cancel: over the cancel message). */
  signatures: MemberSignature[];
  /** For a cancel: what was cancelled. */
  cancelled?: { status: ProposalStatus; activationSlot?: number };
}

export interface ScheduleRequest {
  revision: number;
  activationSlot: number;
  leastGap: number;
  proposalId: string;
  expectedStatus: ProposalStatus;
  newStatus: ProposalStatus;
  op: 'add' | 'rem';
  history: HistoryEntry;
  versions: { activationSlot: number; version: number }[];
  /** The nonce a decision consumes (none for a cancel). */
  nonce?: number;
}

export type ScheduleResult = 'ok' | 'conflict' | 'too-late' | 'status' | 'stale-nonce';

export class GovernanceStore {
  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {}

  /** A random id made once per deployment (Redis + prefix); the first writer wins. */
  async deploymentId(): Promise<string> {
    const k = this.keys.govDeploymentId();
    await this.redis.set(k, '0x' + randomBytes(32).toString('hex'), 'NX');
    return (await this.redis.get(k))!;
  }

  async sealedHead(): Promise<number> {
    return Number((await this.redis.get(this.keys.sealedHead())) ?? 0);
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
  async propose(rec: ProposalRecord, sigs: StoredSignature[]): Promise<'stored' | 'exists'> {
    const k = this.keys;
    const code = await this.redis.govPropose(
      k.govNonce(),
      k.govNonces(),
      k.govProposals(),
      k.govStatus(),
      k.govSignatures(rec.id),
      rec.message.nonce,
      rec.id,
      JSON.stringify(rec),
      NONCE_WINDOW,
      ...sigs.flatMap((s) => [s.member, JSON.stringify({ signature: s.signature, at: s.at })]),
    );
    if (code === 1) return 'stored';
    if (code === -3) return 'exists';
    const n = rec.message.nonce;
    const usedBy = code === -2 ? ((await this.redis.hget(k.govNonces(), String(n))) ?? '?') : undefined;
    // Throws the stale, reused or out-of-window nonce error the script found.
    checkNonce(n, await this.nextNonce(), usedBy);
    throw new Error(`govPropose answered ${code}`);
  }

  /** Adds signatures to a pending proposal; returns how many it holds now. */
  async approve(id: string, sigs: StoredSignature[]): Promise<number> {
    const n = await this.redis.govApprove(
      this.keys.govStatus(),
      this.keys.govSignatures(id),
      id,
      ...sigs.flatMap((s) => [s.member, JSON.stringify({ signature: s.signature, at: s.at })]),
    );
    if (n === -2)
      throw new DuplicateSignerError(
        `a member among ${sigs.map((s) => s.member).join(', ')} already signed ${id}`,
      );
    if (n === -1) {
      const status = await this.status(id);
      if (!status) throw new ProposalNotFoundError(`no proposal ${id}`);
      throw new ProposalClosedError(`proposal ${id} is ${status}, no longer pending`, { data: { status } });
    }
    return n;
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

  async schedule(r: ScheduleRequest): Promise<ScheduleResult> {
    const k = this.keys;
    const res = await this.redis.govSchedule(
      k.paramsVersions(),
      k.sealedHead(),
      k.govRevision(),
      k.govStatus(),
      k.govSchedule(),
      k.govHistory(),
      k.govNonce(),
      k.govNonces(),
      r.revision,
      r.activationSlot,
      r.leastGap,
      r.proposalId,
      r.expectedStatus,
      r.newStatus,
      r.op,
      JSON.stringify(r.history),
      r.nonce === undefined ? '' : String(r.nonce),
      ...r.versions.flatMap((v) => [v.activationSlot, v.version]),
    );
    if (res >= 0) return 'ok';
    return res === -1 ? 'conflict' : res === -2 ? 'too-late' : res === -4 ? 'stale-nonce' : 'status';
  }

  /**
   * Closes a proposal without re-composing (emergency action, cancel while pending); a decision
   * consumes `nonce`. 'status' if the proposal is no longer `expected`, 'stale-nonce' if its nonce is.
   */
  async decide(
    id: string,
    expected: ProposalStatus,
    next: ProposalStatus,
    history: HistoryEntry,
    pause: { op: 'set'; json: string } | { op: 'clear' | 'keep' },
    nonce?: number,
  ): Promise<'ok' | 'status' | 'stale-nonce'> {
    const k = this.keys;
    const res = await this.redis.govDecide(
      k.govStatus(),
      k.govHistory(),
      k.intakePaused(),
      k.govNonce(),
      k.govNonces(),
      id,
      expected,
      next,
      JSON.stringify(history),
      pause.op,
      pause.op === 'set' ? pause.json : '',
      nonce === undefined ? '' : String(nonce),
    );
    return res === 1 ? 'ok' : res === -4 ? 'stale-nonce' : 'status';
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
