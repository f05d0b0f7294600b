/**
 * Folding scheduled changes into parameter versions. The values a slot runs with are the fold, in
 * activation order (ties: the order they were scheduled), of every change activating at or
 * before it; so a change scheduled late but activating early lands in every later version too.
 * Pure.
 */
import { checkRelations, InvalidParamsError, type Params } from '@sealane/params';
import { InvalidProposalError } from '@sealane/protocol';
import type { ParamChange } from './typed-data';

export interface ScheduledChange {
  proposalId: string;
  activationSlot: number;
  /** Order of scheduling, to break ties at one activation slot (later wins). */
  seq: number;
  changes: ParamChange[];
}

export interface ComposedVersion {
  activationSlot: number;
  values: Params;
  /** Proposals first taking effect at this slot. */
  proposals: string[];
}

/**
 * The versions from `fromSlot` on: `base` holds the values in effect just before `fromSlot`
 * (the fold of every change activating earlier); `changes` are those activating at or after
 * it. One version per distinct activation slot, each checked against the rules between
 * parameters.
 */
export function composeVersions(
  base: Params,
  changes: ScheduledChange[],
  fromSlot: number,
): ComposedVersion[] {
  const sorted = changes
    .filter((c) => c.activationSlot >= fromSlot)
    .sort((a, b) => a.activationSlot - b.activationSlot || a.seq - b.seq);
  const out: ComposedVersion[] = [];
  let values: Record<string, number> = { ...base };
  for (const c of sorted) {
    values = { ...values };
    for (const { name, value } of c.changes) values[name] = value;
    const last = out.at(-1);
    if (last && last.activationSlot === c.activationSlot) {
      last.values = values as Params;
      last.proposals.push(c.proposalId);
    } else {
      out.push({ activationSlot: c.activationSlot, values: values as Params, proposals: [c.proposalId] });
    }
  }
  for (const v of out) {
    try {
      checkRelations(v.values);
    } catch (e) {
      if (!(e instanceof InvalidParamsError)) throw e;
      throw new InvalidProposalError(
        `from slot ${v.activationSlot} the parameters would break a rule: ${e.message}`,
        {
          cause: e,
        },
      );
    }
  }
  return out;
}

/** What a proposal changes at its activation: each parameter's value before and after. */
export function diff(before: Params, changes: ParamChange[]): { name: string; from: number; to: number }[] {
  return changes.map(({ name, value }) => ({
    name,
    from: (before as Record<string, number>)[name],
    to: value,
  }));
}
