/**
 * What governance needs from storage (the ports), and the records it keeps there. Pure: the
 * adapters (@sealane/store's GovernanceStore and ParamsStore) implement these; tests may fake them.
 */
import type { IntakePause, Params, ParamsSnapshot } from '@sealane/params';
import type { ScheduledChange } from './compose';
import type { MemberSignature } from './rules';
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
export type DecideResult = 'ok' | 'status' | 'stale-nonce';

/** How a decision leaves the intake pause. */
export type PauseChange = { op: 'set'; json: string } | { op: 'clear' | 'keep' };

/** Proposals, signatures, nonces, the schedule and the history; each write is atomic. */
export interface GovernanceStorePort {
  /** A random id made once per deployment; the first writer wins. */
  deploymentId(): Promise<string>;
  sealedHead(): Promise<number>;
  nextNonce(): Promise<number>;
  revision(): Promise<number>;
  /**
   * Stores a new proposal with its first signatures (claiming no nonce); 'exists' if the same
   * proposal is already stored. Throws on a stale, reused or out-of-window nonce.
   */
  propose(rec: ProposalRecord, sigs: StoredSignature[]): Promise<'stored' | 'exists'>;
  /** Adds signatures to a pending proposal; returns how many it holds now. */
  approve(id: string, sigs: StoredSignature[]): Promise<number>;
  record(id: string): Promise<ProposalRecord | null>;
  status(id: string): Promise<ProposalStatus | null>;
  signatures(id: string): Promise<StoredSignature[]>;
  /** The activation slot of a scheduled proposal, if it is scheduled. */
  activationSlot(id: string): Promise<number | undefined>;
  ids(): Promise<Record<string, ProposalStatus>>;
  /** Scheduled parameter changes activating at or after `fromSlot`. */
  scheduledFrom(fromSlot: number): Promise<ScheduledChange[]>;
  schedule(r: ScheduleRequest): Promise<ScheduleResult>;
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
  ): Promise<DecideResult>;
  history(offset: number, limit: number): Promise<{ total: number; entries: HistoryEntry[] }>;
}

/** The parameter versions governance reads and writes. */
export interface ParamsStorePort {
  snapshot(slot: number): Promise<ParamsSnapshot>;
  versionsFrom(fromSlot: number): Promise<ParamsSnapshot[]>;
  /** A new version, written but not yet scheduled. */
  writeVersion(activationSlot: number, values: Params): Promise<ParamsSnapshot>;
  intakePause(): Promise<IntakePause>;
}
