/**
 * The one caller of the Lua commands in ./commands (BullMQ's Scripts class is the model): one
 * method per script, with typed arguments, building every key and ARGV of the call here, and
 * answering through script-answers.ts, the one table from return codes to results and errors.
 * Each method is the one EVALSHA it always was; the table is read only off the plain success.
 */
import { assertDraftOf, blockJson, type RecordDraft } from './record-pack';
import {
  NONCE_WINDOW,
  type DecideResult,
  type HistoryEntry,
  type PauseChange,
  type ProposalRecord,
  type ProposalStatus,
  type ScheduleRequest,
  type ScheduleResult,
  type StoredSignature,
} from '@sealane/governance';
import type { DecodedTx } from '@sealane/protocol';
import type { BundleStatus, ReplacementGuard, StoredBundle } from './bundle-store';
import type { RecordResult } from './chain-store';
import type { StoredCommitment } from './commit-store';
import { bumped, type Accepted, type EngineAccount, type LaneLimits } from './lane-rules';
import { entryOf, RECORD_TTL_SEC, type Keys, type SealedBlock } from './names';
import type { SealaneRedis } from './redis';
import { answer, type AnswerDb } from './script-answers';
import { ScriptError } from './store.error';

/** A signature as the governance scripts store it: member, then {signature, at} JSON. */
function signaturePairs(sigs: StoredSignature[]): string[] {
  return sigs.flatMap((s) => [s.member, JSON.stringify({ signature: s.signature, at: s.at })]);
}

export class Scripts {
  private readonly scope?: AnswerDb;

  /** Without `keys`, only the lease scripts run: they act on the key their caller names. */
  constructor(
    private readonly redis: SealaneRedis,
    keys?: Keys,
  ) {
    if (keys) this.scope = { redis, keys };
  }

  private db(script: string): AnswerDb {
    if (!this.scope) throw new ScriptError(`${script} needs the deployment's keys`);
    return this.scope;
  }

  /** The public lane's one write per transaction: admitted as geth would, or refused. */
  async addPublicTx(
    tx: DecodedTx,
    rawHex: string,
    account: EngineAccount,
    limits: LaneLimits,
    cost: bigint,
  ): Promise<Accepted> {
    const db = this.db('addPublicTx');
    const k = db.keys;
    const meta = `${bumped(tx.maxFeePerGas)},${bumped(tx.maxPriorityFeePerGas)},${cost}`;
    const [code, detail] = await this.redis.addPublicTx(
      k.publicPool(),
      k.publicTxs(),
      k.publicSeq(),
      k.publicSender(tx.from),
      k.txStatus(tx.hash),
      k.publicSenderCosts(tx.from),
      k.txIncluded(),
      tx.hash,
      `${tx.from}${meta};${rawHex.slice(2)}`,
      limits.capacity,
      tx.nonce,
      account.nonce,
      account.balance.toString(),
      cost.toString(),
      tx.maxFeePerGas.toString(),
      tx.maxPriorityFeePerGas.toString(),
      limits.nonceWindow,
      k.txStatus(''),
      limits.statusTtlSec,
      limits.statusTtlSec,
    );
    if (code >= 0) return detail ? { seq: code, replaced: detail } : { seq: code };
    return answer('addPublicTx', code, { tx, account, limits, cost, detail }, db);
  }

  /** Stores a bundle in its slot; returns the bundle it replaced (null when new). */
  async addBundle(b: StoredBundle, limit: number, guard: ReplacementGuard): Promise<StoredBundle | null> {
    const db = this.db('addBundle');
    const k = db.keys;
    const status: BundleStatus = {
      bundleHash: b.bundleHash,
      searcher: b.searcher,
      slot: b.slot,
      state: 'received',
      receivedAt: b.receivedAt,
    };
    const uuid = b.replacementUuid ?? '-';
    const nonce = guard.replacementNonce ?? b.replacementNonce;
    const res = await this.redis.addBundle(
      k.slotClosed(b.slot),
      k.slotBundles(b.slot),
      k.searcherCount(b.slot, b.searcher),
      k.bundleStatus(b.bundleHash),
      k.intakePaused(),
      k.slotBundleHashes(b.slot),
      k.replacementRecord(b.searcher, uuid),
      k.slotFeeTxs(b.slot),
      k.replacementSlot(b.searcher, uuid),
      entryOf(b),
      JSON.stringify(b),
      limit,
      JSON.stringify(status),
      RECORD_TTL_SEC,
      b.searcher.toLowerCase(),
      b.bundleHash,
      b.replacementUuid ? '1' : '0',
      nonce === undefined ? '' : String(nonce),
      guard.requestId ?? '',
      b.slot,
      ...b.txHashes.map((h) => h.toLowerCase()),
    );
    if (typeof res === 'string') return res === '' ? null : (JSON.parse(res) as StoredBundle);
    const call = { b, limit, code: res, searcher: b.searcher, uuid, nonce };
    return answer('addBundle', Math.max(res, -100), call, db);
  }

  /** Cancels the searcher's bundle with this uuid in `slot`; returns the cancelled bundle. */
  async cancelBundle(
    searcher: string,
    uuid: string,
    slot: string,
    guard: ReplacementGuard,
  ): Promise<StoredBundle> {
    const db = this.db('cancelBundle');
    const k = db.keys;
    const res = await this.redis.cancelBundle(
      k.slotClosed(Number(slot)),
      k.slotBundles(Number(slot)),
      k.slotBundleHashes(Number(slot)),
      k.replacementRecord(searcher, uuid),
      entryOf({ searcher, replacementUuid: uuid, bundleHash: '' }),
      searcher.toLowerCase(),
      guard.replacementNonce === undefined ? '' : String(guard.replacementNonce),
      guard.requestId ?? '',
      RECORD_TTL_SEC,
    );
    if (typeof res === 'string') return JSON.parse(res) as StoredBundle;
    return answer('cancelBundle', res, { searcher, uuid, slot, nonce: guard.replacementNonce }, db);
  }

  /** Closes the slot's auction; returns every bundle in it. */
  async closeAuction(slot: number): Promise<StoredBundle[]> {
    const k = this.db('closeAuction').keys;
    const values = await this.redis.closeAuction(k.slotClosed(slot), k.slotBundles(slot), RECORD_TTL_SEC);
    return values.map((v) => JSON.parse(v) as StoredBundle);
  }

  /** Takes a commitment into its slot's order; returns its position. */
  async addCommitment(c: StoredCommitment, limit: number): Promise<number> {
    const db = this.db('addCommitment');
    const k = db.keys;
    const res = await this.redis.addCommitment(
      k.slotClosed(c.slot),
      k.slotCommitments(c.slot),
      k.commitmentCount(c.slot, c.sender),
      k.commitmentStatus(c.commitment),
      k.slotFeeTxs(c.slot),
      JSON.stringify(c),
      limit,
      RECORD_TTL_SEC,
      c.slot,
      c.feeTxHash.toLowerCase(),
    );
    return res >= 0 ? res : answer('addCommitment', res, { c, limit }, db);
  }

  /** Records a commitment's revealed key, between its slot's published order and the deadline. */
  async revealCommitment(slot: number, commitment: string, keyHex: string): Promise<void> {
    const db = this.db('revealCommitment');
    const k = db.keys;
    const res = await this.redis.revealCommitment(
      k.slotOrder(slot),
      k.slotRevealsClosed(slot),
      k.slotRevealedKeys(slot),
      commitment,
      keyHex,
    );
    if (res !== 1) await answer('revealCommitment', res, { slot }, db);
  }

  /** Closes a slot's reveals; returns commitment -> key hex. */
  async closeReveals(slot: number): Promise<Map<string, string>> {
    const k = this.db('closeReveals').keys;
    const flat = await this.redis.closeReveals(
      k.slotRevealsClosed(slot),
      k.slotRevealedKeys(slot),
      RECORD_TTL_SEC,
    );
    const out = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) out.set(flat[i], flat[i + 1]);
    return out;
  }

  /**
   * Writes a sealed slot's record, fenced by the builder lease `token` and idempotent: the
   * drafted record with `block` (the block it was drafted for, now with its header).
   */
  async recordSealed(
    token: string,
    d: RecordDraft,
    block: SealedBlock,
    statusTtlSec: number,
  ): Promise<RecordResult> {
    const db = this.db('recordSealed');
    const k = db.keys;
    const n = block.number;
    assertDraftOf(d, block);
    const { retired, patches, sets } = d;
    const res = await this.redis.recordSealed(
      k.lease('builder'),
      k.sealedHead(),
      k.publicPool(),
      k.publicTxs(),
      k.txIncluded(),
      k.txIncludedPruned(),
      token,
      n,
      k.block(n),
      blockJson(block, d.body),
      block.hash,
      statusTtlSec,
      RECORD_TTL_SEC,
      d.record.txs.length,
      patches.length / 2,
      sets.length / 2,
      k.slotPlan(n),
      retired.hashes,
      retired.senders,
      retired.senderOf,
      retired.kinds,
      retired.statuses,
      k.txStatusPrefix(),
      k.publicSenderPrefix(),
      k.txIncludedIndexPrefix(),
      block.timestamp,
      ...patches,
      ...sets,
    );
    return answer('recordSealed', res, { token, n }, db);
  }

  /** Stores a slot's plan before its block is mined, fenced by the builder lease `token`. */
  async savePlan(token: string, slot: number, plan: unknown): Promise<void> {
    const db = this.db('savePlan');
    const k = db.keys;
    const res = await this.redis.savePlan(
      k.lease('builder'),
      k.slotPlan(slot),
      token,
      JSON.stringify(plan),
      RECORD_TTL_SEC,
    );
    if (res !== 1) await answer('savePlan', res, { token, slot }, db);
  }

  /** [1, ttl] held by this token now, or [0, ms the other holder has left]. */
  renewLease(lease: string, token: string, ttlMs: number): Promise<[number, number]> {
    return this.redis.renewLease(lease, token, ttlMs);
  }

  /** Releases the lease if `token` holds it (else leaves it alone). */
  async releaseLease(lease: string, token: string): Promise<void> {
    await this.redis.releaseLease(lease, token);
  }

  /** Stores a new proposal with its first signatures, or says it 'exists'; refuses a bad nonce. */
  async govPropose(rec: ProposalRecord, sigs: StoredSignature[]): Promise<'stored' | 'exists'> {
    const db = this.db('govPropose');
    const k = db.keys;
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
      ...signaturePairs(sigs),
    );
    return answer('govPropose', code, { rec }, db);
  }

  /** Adds signatures to a pending proposal; returns how many it holds now. */
  async govApprove(id: string, sigs: StoredSignature[]): Promise<number> {
    const db = this.db('govApprove');
    const k = db.keys;
    const n = await this.redis.govApprove(k.govStatus(), k.govSignatures(id), id, ...signaturePairs(sigs));
    return n >= 0 ? n : answer('govApprove', n, { id, sigs }, db);
  }

  /** Schedules or unschedules a parameter change with its re-composed versions. */
  async govSchedule(r: ScheduleRequest): Promise<ScheduleResult> {
    const db = this.db('govSchedule');
    const k = db.keys;
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
    return res >= 0 ? 'ok' : answer('govSchedule', res, {}, db);
  }

  /** Closes a proposal that needs no re-composition, setting or clearing the intake pause with it. */
  async govDecide(
    id: string,
    expected: ProposalStatus,
    next: ProposalStatus,
    history: HistoryEntry,
    pause: PauseChange,
    nonce?: number,
  ): Promise<DecideResult> {
    const db = this.db('govDecide');
    const k = db.keys;
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
    return answer('govDecide', res, {}, db);
  }
}
