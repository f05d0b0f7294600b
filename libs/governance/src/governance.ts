/**
 * Governance requests end to end: checks a signed proposal, approval or cancel against the rules,
 * stores it, and at quorum hands it to the decisions (decisions.ts), then shows proposals as they
 * stand. No Nest and no Redis: the stores come in through the ports (governance.port.ts); the
 * gateway calls it, tests drive it.
 */
import { ProposalClosedError, ProposalNotFoundError, QuorumNotReachedError } from '@sealane/protocol';
import { Decisions, staleNonce } from './decisions';
import type {
  GovernanceStorePort,
  ParamsStorePort,
  ProposalRecord,
  ProposalStatus,
  StoredSignature,
} from './governance.port';
import {
  checkActivation,
  checkChanges,
  checkDomain,
  earliestActivation,
  effectiveSlot,
  memberSignatures,
  NONCE_WINDOW,
  requiredSignatures,
  type GovernancePolicy,
} from './rules';
import {
  deploymentSalt,
  digest,
  governanceDomain,
  type EmergencyAction,
  type GovDomain,
  type ParamsProposal,
  type SignedRequest,
} from './typed-data';

export interface GovernanceOptions {
  policy: GovernancePolicy;
  store: GovernanceStorePort;
  params: ParamsStorePort;
  /** The deployment: its key prefix, and its Inbox address when known (else a stored random id). */
  keyPrefix: string;
  inboxAddress?: string;
  /** An explicit domain salt overrides the derived one. */
  domainSalt?: string;
  now?: () => number;
}

export interface ProposalView {
  id: string;
  primaryType: ProposalRecord['primaryType'];
  message: ParamsProposal | EmergencyAction;
  /** `active` is a scheduled change whose activation slot is sealed or open. */
  status: ProposalStatus | 'active';
  required: number;
  requiredReason?: string;
  signatures: StoredSignature[];
  /** Where a scheduled change takes effect. */
  activationSlot?: number;
  proposedAt: number;
  proposedInSlot: number;
}

export class Governance {
  private domainP?: Promise<GovDomain>;
  private readonly now: () => number;
  private readonly decisions: Decisions;

  constructor(private readonly o: GovernanceOptions) {
    this.now = o.now ?? Date.now;
    this.decisions = new Decisions(o, this.now);
  }

  get policy(): GovernancePolicy {
    return this.o.policy;
  }

  /** The EIP-712 domain of this deployment: chain id + salt. */
  domain(): Promise<GovDomain> {
    this.domainP ??= (async () => {
      const salt =
        this.o.domainSalt ??
        deploymentSalt(
          this.o.keyPrefix,
          this.o.inboxAddress
            ? { inbox: this.o.inboxAddress }
            : { deploymentId: await this.o.store.deploymentId() },
        );
      return governanceDomain(this.o.policy.chainId, salt);
    })().catch((e: unknown) => {
      this.domainP = undefined;
      throw e;
    });
    return this.domainP;
  }

  /** What a signer needs: the domain, the members and rules, the next nonce, the earliest slot. */
  async info() {
    const [domain, nextNonce, { head, open, timelock }] = await Promise.all([
      this.domain(),
      this.o.store.nextNonce(),
      this.decisions.slots(),
    ]);
    const p = this.o.policy;
    return {
      domain,
      members: p.members,
      threshold: p.threshold,
      supermajority: p.supermajority,
      timelockFloorSlots: p.timelockFloorSlots,
      timelockSlots: timelock,
      nextNonce,
      nonceWindow: NONCE_WINDOW,
      sealedHead: head,
      openSlot: open,
      earliestActivation: earliestActivation(open, timelock),
    };
  }

  async propose(req: SignedRequest<'ParamsProposal'>): Promise<ProposalView> {
    const expected = await this.domain();
    checkDomain(req.domain, req.message.chainId, expected);
    checkChanges(req.message.changes);
    const { open, timelock } = await this.decisions.slots();
    checkActivation(req.message.activationSlot, open, timelock);
    const id = digest(expected, 'ParamsProposal', req.message);
    const sigs = this.stamp(memberSignatures(id, req.signatures, this.o.policy));
    // Refuse now, not at quorum, a change that breaks a rule between parameters.
    await this.decisions.plan(id, req.message, effectiveSlot(req.message.activationSlot, open, timelock));
    const rule = requiredSignatures(req.message.changes, this.o.policy);
    const rec: ProposalRecord = {
      id,
      primaryType: 'ParamsProposal',
      message: req.message,
      domain: expected,
      required: rule.required,
      ...(rule.reason ? { requiredReason: rule.reason } : {}),
      proposedAt: this.now(),
      proposedInSlot: open,
    };
    return this.store(rec, sigs);
  }

  async proposeEmergency(req: SignedRequest<'EmergencyAction'>): Promise<ProposalView> {
    const expected = await this.domain();
    checkDomain(req.domain, req.message.chainId, expected);
    const id = digest(expected, 'EmergencyAction', req.message);
    const sigs = this.stamp(memberSignatures(id, req.signatures, this.o.policy));
    const { open } = await this.decisions.slots();
    const rec: ProposalRecord = {
      id,
      primaryType: 'EmergencyAction',
      message: req.message,
      domain: expected,
      required: this.o.policy.threshold,
      proposedAt: this.now(),
      proposedInSlot: open,
    };
    return this.store(rec, sigs);
  }

  /**
   * Stores a new proposal and runs it at quorum. The same proposal submitted again (say a
   * quorum's pause that one member already proposed alone) adds its new members' signatures
   * instead of being refused, so nobody can block a decision by proposing it first.
   */
  private async store(rec: ProposalRecord, sigs: StoredSignature[]): Promise<ProposalView> {
    if ((await this.o.store.propose(rec, sigs)) === 'exists') {
      const before = new Set((await this.o.store.signatures(rec.id)).map((s) => s.member));
      const fresh = sigs.filter((s) => !before.has(s.member));
      if (fresh.length === 0) {
        const stored = await this.o.store.record(rec.id);
        if (stored && (await this.o.store.status(rec.id)) === 'pending' && before.size >= stored.required)
          await this.decisions.execute(stored);
        return (await this.proposal(rec.id))!;
      }
      return this.approveWith(rec.id, fresh);
    }
    if (sigs.length >= rec.required) await this.decisions.execute(rec);
    return (await this.proposal(rec.id))!;
  }

  /** More signatures for a pending proposal; at quorum it is scheduled or executed. */
  async approve(id: string, signatures: string[]): Promise<ProposalView> {
    const before = (await this.o.store.signatures(id)).map((s) => s.member);
    return this.approveWith(id, this.stamp(memberSignatures(id, signatures, this.o.policy, before)));
  }

  private async approveWith(id: string, sigs: StoredSignature[]): Promise<ProposalView> {
    const rec = await this.o.store.record(id);
    if (!rec) throw new ProposalNotFoundError(`no proposal ${id}`);
    const status = await this.o.store.status(id);
    if (status !== 'pending')
      throw new ProposalClosedError(`proposal ${id} is ${status}, no longer pending`, { data: { status } });
    // A proposal whose nonce another decision consumed or skipped can never be decided.
    const next = await this.o.store.nextNonce();
    if (rec.message.nonce < next) throw staleNonce(rec, next);
    const held = await this.o.store.approve(id, sigs);
    if (held >= rec.required) await this.decisions.execute(rec);
    return (await this.proposal(id))!;
  }

  /** A quorum withdraws a pending proposal, or a scheduled one whose slot is not open yet. */
  async cancel(req: SignedRequest<'CancelProposal'>): Promise<ProposalView> {
    const expected = await this.domain();
    checkDomain(req.domain, req.message.chainId, expected);
    const target = req.message.proposalId;
    const cancelId = digest(expected, 'CancelProposal', req.message);
    const sigs = memberSignatures(cancelId, req.signatures, this.o.policy);
    if (sigs.length < this.o.policy.threshold)
      throw new QuorumNotReachedError(
        `a cancel needs ${this.o.policy.threshold} member signatures, got ${sigs.length}`,
        { data: { required: this.o.policy.threshold, got: sigs.length } },
      );
    const rec = await this.o.store.record(target);
    if (!rec) throw new ProposalNotFoundError(`no proposal ${target}`);
    await this.decisions.cancel(target, rec, sigs);
    return (await this.proposal(target))!;
  }

  private stamp(sigs: { member: string; signature: string }[]): StoredSignature[] {
    const at = this.now();
    return sigs.map((s) => ({ ...s, at }));
  }

  async proposal(id: string): Promise<ProposalView | null> {
    const rec = await this.o.store.record(id);
    if (!rec) return null;
    const [status, signatures, activationSlot, head] = await Promise.all([
      this.o.store.status(id),
      this.o.store.signatures(id),
      this.o.store.activationSlot(id),
      this.o.store.sealedHead(),
    ]);
    return {
      id: rec.id,
      primaryType: rec.primaryType,
      message: rec.message,
      status:
        status === 'scheduled' && activationSlot !== undefined && activationSlot <= head + 1
          ? 'active'
          : status!,
      required: rec.required,
      ...(rec.requiredReason ? { requiredReason: rec.requiredReason } : {}),
      signatures,
      ...(activationSlot !== undefined ? { activationSlot } : {}),
      proposedAt: rec.proposedAt,
      proposedInSlot: rec.proposedInSlot,
    };
  }

  async proposals(status?: string): Promise<ProposalView[]> {
    const ids = Object.keys(await this.o.store.ids());
    const views = (await Promise.all(ids.map((id) => this.proposal(id)))).filter(
      (v): v is ProposalView => v !== null && (!status || v.status === status),
    );
    return views.sort((a, b) => a.proposedAt - b.proposedAt);
  }

  /** The parameters of the open slot, and every version scheduled after it. */
  async params() {
    const { head, open } = await this.decisions.slots();
    const [current, scheduled, pause] = await Promise.all([
      this.o.params.snapshot(open),
      this.o.params.versionsFrom(open + 1),
      this.o.params.intakePause(),
    ]);
    return { sealedHead: head, openSlot: open, current, scheduled, intake: pause };
  }

  history(offset: number, limit: number) {
    return this.o.store.history(offset, limit);
  }
}
