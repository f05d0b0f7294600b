/**
 * Governance on the gateway: signed parameter proposals, approvals, cancels and the emergency
 * pause, plus the public reads (parameters, history, proposals). Decodes JSON and calls
 * @sealane/governance, where every rule lives. Anyone may submit: the signatures are the authority.
 */
import type { SealaneConfig } from '@sealane/config';
import { Governance, parseSignatures, parseSignedRequest, uint } from '@sealane/governance';
import { arity, hash32, invalidParams, type JsonRpcDispatcher } from '@sealane/rpc';
import { quantity } from './bundle-params';
import { GovernanceStore, type Keys, type ParamsStore, type SealaneRedis } from '@sealane/store';
import { logEvent, type LogEvent, type SealaneMetrics } from '@sealane/observe';
import type { ProposalView } from '@sealane/governance';

/** A proposal's status before a request: a decision is a change of it past `pending`. */
type Before = ProposalView['status'] | undefined;

export interface GovernanceApiDeps {
  config: SealaneConfig;
  redis: SealaneRedis;
  keys: Keys;
  params: ParamsStore;
  metrics?: SealaneMetrics;
  logger?: { log(m: LogEvent): void };
}

const MAX_HISTORY = 1000;

export class GovernanceApi {
  readonly governance: Governance;

  constructor(private readonly deps: GovernanceApiDeps) {
    const c = deps.config;
    this.governance = new Governance({
      policy: {
        chainId: c.L2_CHAIN_ID,
        members: c.GOV_MEMBERS,
        threshold: c.GOV_THRESHOLD,
        supermajority: c.GOV_SUPERMAJORITY,
        timelockFloorSlots: c.GOV_TIMELOCK_FLOOR_SLOTS,
      },
      store: new GovernanceStore(deps.redis, deps.keys),
      params: deps.params,
      keyPrefix: c.KEY_PREFIX,
      inboxAddress: c.INBOX_ADDRESS,
      domainSalt: c.GOV_DOMAIN_SALT,
    });
  }

  register(d: JsonRpcDispatcher): void {
    const g = this.governance;
    d.register('sealane_getGovernance', (p) => {
      arity(p, 0);
      return g.info();
    })
      .register('sealane_getParams', (p) => {
        arity(p, 0);
        return g.params();
      })
      // The parameter set a slot ran under: what a replica checks each block's evidence against.
      .register('sealane_getParamsAt', (p) => {
        arity(p, 1);
        return this.deps.params.snapshot(quantity(p[0], 'slot'));
      })
      .register('sealane_getParamsHistory', (p) => {
        arity(p, 0, 1);
        const o = (p[0] ?? {}) as Record<string, unknown>;
        if (typeof o !== 'object' || o === null) throw invalidParams('options must be an object');
        const offset = o.offset === undefined ? 0 : uint(o.offset, 'offset');
        const limit = o.limit === undefined ? 100 : Math.min(MAX_HISTORY, uint(o.limit, 'limit'));
        return g.history(offset, limit);
      })
      .register('sealane_getProposal', (p) => {
        arity(p, 1);
        return g.proposal(hash32(p[0], 'proposal id'));
      })
      .register('sealane_getProposals', (p) => {
        arity(p, 0, 1);
        const status = p[0];
        if (status !== undefined && typeof status !== 'string')
          throw invalidParams('status must be a string');
        return g.proposals(status);
      })
      .register('sealane_proposeParams', async (p) => {
        arity(p, 1);
        return this.decided(undefined, await g.propose(parseSignedRequest('ParamsProposal', p[0])));
      })
      .register('sealane_proposeEmergency', async (p) => {
        arity(p, 1);
        return this.decided(undefined, await g.proposeEmergency(parseSignedRequest('EmergencyAction', p[0])));
      })
      .register('sealane_approveProposal', async (p) => {
        arity(p, 2);
        const sigs = parseSignatures(p[1]);
        if (sigs.length === 0) throw invalidParams('at least one signature is needed');
        const id = hash32(p[0], 'proposal id');
        const before = (await g.proposal(id))?.status;
        return this.decided(before, await g.approve(id, sigs));
      })
      .register('sealane_cancelProposal', async (p) => {
        arity(p, 1);
        const req = parseSignedRequest('CancelProposal', p[0]);
        const target = req.message.proposalId;
        const before = (await g.proposal(target))?.status;
        const view = await g.cancel(req);
        const after = await g.proposal(target);
        if (after) this.decided(before, after);
        return view;
      });
  }

  /** Logs and counts a decision: a proposal that left `pending` (scheduled, executed, cancelled). */
  private decided(before: Before, view: ProposalView): ProposalView {
    if (view.status === before || view.status === 'pending') return view;
    const kind = view.status === 'active' ? 'scheduled' : view.status;
    this.deps.metrics?.governance(kind);
    const what =
      view.primaryType === 'ParamsProposal'
        ? `changes ${JSON.stringify((view.message as { changes?: unknown }).changes ?? view.message)}`
        : `${view.primaryType} ${JSON.stringify(view.message)}`;
    this.deps.logger?.log(
      logEvent(
        'governance.decision',
        `governance: proposal ${view.id.slice(0, 10)}… ${kind}` +
          (view.activationSlot === undefined ? '' : ` from slot ${view.activationSlot}`) +
          ` with ${view.signatures.length} of ${view.required} signatures: ${what}`,
        {
          proposalId: view.id,
          kind,
          primaryType: view.primaryType,
          activationSlot: view.activationSlot,
          signatures: view.signatures.length,
          required: view.required,
          message: view.message,
        },
      ),
    );
    return view;
  }
}
