/**
 * What `sealane gov` checks before a member signs (build, sign): the rules the gateway applies
 * when the proposal is submitted (rules.ts, @sealane/params), run early so nobody signs what
 * will be refused. The gateway stays the authority: it also composes the change with every
 * scheduled version at quorum time, which this early check approximates with the version in
 * force at the effective slot. Plus the CLI's one JSON-RPC call.
 */
import { SealaneError, UnknownParameterError } from '@sealane/protocol';
import {
  checkRelations,
  InvalidParamsError,
  PARAM_DEFS,
  type Params,
  type ParamsSnapshot,
} from '@sealane/params';
import {
  checkActivation,
  checkChanges,
  checkDomain,
  checkNonce,
  effectiveSlot,
  requiredSignatures,
  type GovernancePolicy,
} from './rules';
import type { EmergencyAction, GovDomain, ParamsProposal, TypedData } from './typed-data';

/** A proposal the rules refuse, caught before signing: exit 2 with the rule's message. */
export class RefusedBeforeSigningError extends Error {
  override readonly name = 'RefusedBeforeSigningError';
}

/** The parts of sealane_getGovernance the checks read. */
export interface GovInfoView extends Omit<GovernancePolicy, 'chainId'> {
  domain: GovDomain;
  openSlot: number;
  timelockSlots: number;
  nextNonce: number;
  nonceWindow: number;
}

/** The parts of sealane_getParams the checks read. */
export interface ParamsView {
  current: ParamsSnapshot;
  scheduled: ParamsSnapshot[];
}

function refuse(e: unknown): never {
  if (e instanceof UnknownParameterError)
    throw new RefusedBeforeSigningError(
      `${e.message}; known parameters: ${Object.keys(PARAM_DEFS).join(', ')}`,
    );
  if (e instanceof SealaneError || e instanceof InvalidParamsError)
    throw new RefusedBeforeSigningError(e.message);
  throw e;
}

/** Names known, each at most once, values integers in their ranges: needs only the message. */
export function checkChangesBeforeSigning(m: ParamsProposal): void {
  try {
    checkChanges(m.changes);
  } catch (e) {
    refuse(e);
  }
}

/** The values in force from `slot` on, as far as the gateway's schedule says. */
export function valuesAt(params: ParamsView, slot: number): Params {
  let v = params.current;
  for (const s of params.scheduled)
    if (s.activationSlot <= slot && s.activationSlot >= v.activationSlot) v = s;
  return v.values;
}

/**
 * Everything the gateway checks at submission, against its state now: the changes, the activation
 * slot against the open slot and the timelock, the nonce window, and the rules between parameters
 * with the change applied at the slot it would take effect. Answers notes worth showing (a
 * supermajority needed, the slot it takes effect).
 */
export function checkParamsProposal(m: ParamsProposal, info: GovInfoView, params: ParamsView): string[] {
  checkChangesBeforeSigning(m);
  const slot = effectiveSlot(m.activationSlot, info.openSlot, info.timelockSlots);
  try {
    checkActivation(m.activationSlot, info.openSlot, info.timelockSlots);
    checkNonce(m.nonce, info.nextNonce, undefined, info.nonceWindow);
    const values: Record<string, number> = { ...valuesAt(params, slot - 1) };
    for (const c of m.changes) values[c.name] = c.value;
    checkRelations(values as Params);
  } catch (e) {
    refuse(e);
  }
  const notes = [
    `takes effect at slot ${slot} at the earliest (open slot ${info.openSlot}, timelock ${info.timelockSlots} slots)`,
  ];
  const rule = requiredSignatures(m.changes, { ...info, chainId: 0 });
  notes.push(rule.reason ?? `needs ${rule.required} of ${info.members.length} member signatures`);
  return notes;
}

/**
 * The checks of one typed-data file against the gateway's state: signed for this deployment,
 * then per kind (a parameter proposal: checkParamsProposal; an emergency action: its nonce).
 */
export function checkBeforeSigning(f: TypedData, info: GovInfoView, params: ParamsView): string[] {
  try {
    checkDomain(f.domain, f.message.chainId, info.domain);
  } catch (e) {
    refuse(e);
  }
  if (f.primaryType === 'ParamsProposal')
    return checkParamsProposal(f.message as ParamsProposal, info, params);
  if (f.primaryType === 'EmergencyAction')
    try {
      checkNonce((f.message as EmergencyAction).nonce, info.nextNonce, undefined, info.nonceWindow);
    } catch (e) {
      refuse(e);
    }
  return [];
}

// ---- the CLI's JSON-RPC call --------------------------------------------------------------

interface RpcFailure {
  code: number;
  message: string;
  data?: { name?: string };
}

export class RpcCallError extends Error {
  constructor(
    readonly method: string,
    readonly error: RpcFailure,
  ) {
    super(
      `${method}: ${error.message}${error.data?.name ? ` (${error.data.name}, ${error.code})` : ` (${error.code})`}`,
    );
  }
}

export async function call<T>(url: string, method: string, params: unknown[]): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
  } catch (e) {
    throw new Error(`cannot reach the gateway at ${url}: ${(e as Error).message}`);
  }
  const body = (await res.json()) as { result?: T; error?: RpcFailure };
  if (body.error) throw new RpcCallError(method, body.error);
  return body.result as T;
}
