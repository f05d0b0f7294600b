/**
 * Governance's decisions: running a proposal that reached its quorum (scheduling a parameter
 * change on the timelock, or executing an emergency action at once) and withdrawing one, each
 * retried while the schedule changes under it. The checks before a decision are governance.ts'.
 */
import { ProposalClosedError, StaleNonceError } from '@sealane/protocol';
import type { ParamsSnapshot } from '@sealane/params';
import { composeVersions, diff, type ScheduledChange } from './compose';
import { ScheduleContentionError } from './governance.error';
import type { GovernanceStorePort, HistoryEntry, ParamsStorePort, ProposalRecord } from './governance.port';
import { effectiveSlot, type MemberSignature } from './rules';
import type { ParamsProposal } from './typed-data';

const MAX_RETRIES = 20;

export class Decisions {
  constructor(
    private readonly o: { store: GovernanceStorePort; params: ParamsStorePort },
    private readonly now: () => number,
  ) {}

  /** The sealed head, the open slot and its timelock. */
  async slots(): Promise<{ head: number; open: number; timelock: number }> {
    const head = await this.o.store.sealedHead();
    const open = head + 1;
    const timelock = (await this.o.params.snapshot(open)).values.timelockSlots;
    return { head, open, timelock };
  }

  /**
   * Withdraws `target` (its record `rec`: a pending proposal, or a scheduled one whose slot is
   * not open yet) with the quorum's signatures over the cancel message.
   */
  async cancel(target: string, rec: ProposalRecord, sigs: MemberSignature[]): Promise<void> {
    for (let i = 0; i < MAX_RETRIES; i++) {
      const status = await this.o.store.status(target);
      const { open } = await this.slots();
      const entry: HistoryEntry = {
        kind: 'cancel',
        proposalId: target,
        at: this.now(),
        openSlot: open,
        signatures: sigs,
        cancelled: { status: status ?? 'pending' },
      };
      if (status === 'pending') {
        if ((await this.o.store.decide(target, 'pending', 'cancelled', entry, { op: 'keep' })) === 'ok')
          break;
        continue;
      }
      if (status !== 'scheduled' || rec.primaryType !== 'ParamsProposal')
        throw new ProposalClosedError(`proposal ${target} is ${status}: nothing to cancel`, {
          data: { status },
        });
      const revision = await this.o.store.revision();
      const at = await this.o.store.activationSlot(target);
      if (at === undefined) continue;
      if (at <= open)
        throw new ProposalClosedError(
          `proposal ${target} is in effect since slot ${at}: too late to cancel`,
          {
            data: { activationSlot: at },
          },
        );
      entry.cancelled = { status, activationSlot: at };
      const versions = await this.recompose(at, (c) => c.filter((x) => x.proposalId !== target));
      const r = await this.o.store.schedule({
        revision,
        activationSlot: at,
        leastGap: 1,
        proposalId: target,
        expectedStatus: 'scheduled',
        newStatus: 'cancelled',
        op: 'rem',
        history: entry,
        versions: versions.map((v) => ({ activationSlot: v.activationSlot, version: v.version })),
      });
      if (r === 'ok') break;
    }
  }

  /** The versions from `fromSlot` on, as `edit` leaves the scheduled changes; written, not yet indexed. */
  private async recompose(
    fromSlot: number,
    edit: (scheduled: ScheduledChange[]) => ScheduledChange[],
  ): Promise<ParamsSnapshot[]> {
    const base = (await this.o.params.snapshot(fromSlot - 1)).values;
    const composed = composeVersions(base, edit(await this.o.store.scheduledFrom(fromSlot)), fromSlot);
    const out: ParamsSnapshot[] = [];
    for (const v of composed) out.push(await this.o.params.writeVersion(v.activationSlot, v.values));
    return out;
  }

  /** A dry run of scheduling at `slot`: throws if the fold would break a rule. */
  async plan(id: string, m: ParamsProposal, slot: number): Promise<void> {
    const base = (await this.o.params.snapshot(slot - 1)).values;
    const others = await this.o.store.scheduledFrom(slot);
    composeVersions(
      base,
      [...others, { proposalId: id, activationSlot: slot, seq: m.nonce, changes: m.changes }],
      slot,
    );
  }

  /** Runs a proposal that reached its quorum. Safe to call twice: the status guards it. */
  async execute(rec: ProposalRecord): Promise<void> {
    const signatures = (await this.o.store.signatures(rec.id)).map(({ member, signature }) => ({
      member,
      signature,
    }));
    if (rec.primaryType === 'EmergencyAction') {
      const { open } = await this.slots();
      const at = this.now();
      const entry: HistoryEntry = {
        kind: rec.message.action,
        proposalId: rec.id,
        at,
        openSlot: open,
        nonce: rec.message.nonce,
        signatures,
      };
      const r = await this.o.store.decide(
        rec.id,
        'pending',
        'executed',
        entry,
        rec.message.action === 'pause'
          ? { op: 'set', json: JSON.stringify({ paused: true, since: at, proposalId: rec.id }) }
          : { op: 'clear' },
        rec.message.nonce,
      );
      if (r === 'stale-nonce') throw staleNonce(rec, await this.o.store.nextNonce());
      return;
    }
    const m = rec.message;
    for (let i = 0; i < MAX_RETRIES; i++) {
      const revision = await this.o.store.revision();
      const { open, timelock } = await this.slots();
      const slot = effectiveSlot(m.activationSlot, open, timelock);
      const before = (await this.o.params.snapshot(slot - 1)).values;
      const versions = await this.recompose(slot, (c) => [
        ...c,
        { proposalId: rec.id, activationSlot: slot, seq: m.nonce, changes: m.changes },
      ]);
      const r = await this.o.store.schedule({
        revision,
        activationSlot: slot,
        leastGap: Math.max(1, timelock),
        proposalId: rec.id,
        expectedStatus: 'pending',
        newStatus: 'scheduled',
        op: 'add',
        history: {
          kind: 'params',
          proposalId: rec.id,
          at: this.now(),
          openSlot: open,
          activationSlot: slot,
          version: versions.find((v) => v.activationSlot === slot)?.version,
          changes: diff(before, m.changes),
          nonce: m.nonce,
          signatures,
        },
        versions: versions.map((v) => ({ activationSlot: v.activationSlot, version: v.version })),
        nonce: m.nonce,
      });
      if (r === 'ok' || r === 'status') return;
      if (r === 'stale-nonce') throw staleNonce(rec, await this.o.store.nextNonce());
    }
    throw new ScheduleContentionError(`could not schedule proposal ${rec.id}: the schedule kept changing`);
  }
}

/** The error for a proposal whose nonce another decision consumed or skipped. */
export function staleNonce(rec: ProposalRecord, next: number): StaleNonceError {
  return new StaleNonceError(
    `proposal ${rec.id} has nonce ${rec.message.nonce}, stale now that the next nonce is ${next}: another decision came first; propose again with a nonce from ${next}`,
    { data: { nextNonce: next, proposalId: rec.id } },
  );
}
