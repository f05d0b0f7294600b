/**
 * The rules a governance decision must pass: who may sign, how many must, when a change may take
 * effect, and what a change may set. Pure: every input (members, open slot, timelock) is passed in.
 */
import { fromHex, recoverSigner } from '@sealane/protocol';
import {
  ActivationTooEarlyError,
  DuplicateSignerError,
  InvalidProposalError,
  InvalidSignatureError,
  NonceOutOfWindowError,
  NonceReusedError,
  NotMemberError,
  ParamOutOfRangeError,
  StaleNonceError,
  UnknownParameterError,
  WrongDomainError,
} from '@sealane/protocol';
import { PARAM_DEFS, type ParamDef } from '@sealane/params';
import type { GovDomain, ParamChange } from './typed-data';

export interface GovernancePolicy {
  /** The L2 chain id, in the domain and in every message. */
  chainId: number;
  /** Lowercase member addresses. */
  members: string[];
  /** m of n: signatures a decision needs. */
  threshold: number;
  /** Signatures needed to set the timelock below its floor (at least the threshold). */
  supermajority: number;
  timelockFloorSlots: number;
}

/** The most parameters one proposal may change. */
export const MAX_CHANGES = 32;

const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** Same chain and same deployment, or the request is a replay from elsewhere. */
export function checkDomain(got: GovDomain, messageChainId: number, expected: GovDomain): void {
  if (got.chainId !== expected.chainId || messageChainId !== expected.chainId)
    throw new WrongDomainError(
      `signed for chain ${got.chainId !== expected.chainId ? got.chainId : messageChainId}, this is chain ${expected.chainId}`,
      { data: { expected } },
    );
  if (got.name !== expected.name || got.version !== expected.version || got.salt !== expected.salt)
    throw new WrongDomainError(
      `signed for another deployment (domain salt ${got.salt}); this deployment's is ${expected.salt}`,
      { data: { expected } },
    );
}

/** Names known, values integers in range, each parameter at most once. */
export function checkChanges(changes: ParamChange[]): void {
  if (changes.length === 0) throw new InvalidProposalError('a proposal changes at least one parameter');
  if (changes.length > MAX_CHANGES)
    throw new InvalidProposalError(`a proposal changes at most ${MAX_CHANGES} parameters`);
  const seen = new Set<string>();
  for (const { name, value } of changes) {
    const def = (PARAM_DEFS as Record<string, ParamDef>)[name];
    if (!def || !Object.hasOwn(PARAM_DEFS, name))
      throw new UnknownParameterError(`unknown parameter "${name}"`, {
        data: { known: Object.keys(PARAM_DEFS) },
      });
    if (seen.has(name)) throw new InvalidProposalError(`parameter "${name}" appears twice`);
    seen.add(name);
    if (!Number.isSafeInteger(value) || value < def.min || value > def.max)
      throw new ParamOutOfRangeError(`${name} = ${value} is outside [${def.min}, ${def.max}] ${def.unit}`, {
        data: { name, value, min: def.min, max: def.max },
      });
  }
}

/** Splits a 65-byte r ‖ s ‖ v signature; v may be 0/1 or 27/28; high s is refused (malleable). */
export function splitSignature(sig: string): { r: Uint8Array; s: Uint8Array; yParity: 0 | 1 } {
  const b = fromHex(sig);
  if (b.length !== 65) throw new InvalidSignatureError('a signature is 65 bytes: r ‖ s ‖ v');
  const v = b[64] >= 27 ? b[64] - 27 : b[64];
  if (v !== 0 && v !== 1) throw new InvalidSignatureError(`bad recovery byte v = ${b[64]}`);
  const s = b.subarray(32, 64);
  if (BigInt('0x' + Buffer.from(s).toString('hex')) > SECP256K1_HALF_N)
    throw new InvalidSignatureError('signature s is in the upper half of the curve order (malleable)');
  return { r: b.subarray(0, 32), s, yParity: v };
}

export interface MemberSignature {
  member: string;
  signature: string;
}

/**
 * Recovers each signature's signer over `digestHex`; every signer must be a member, appear once,
 * and not be among `already` (the members who signed before).
 */
export function memberSignatures(
  digestHex: string,
  signatures: string[],
  policy: Pick<GovernancePolicy, 'members'>,
  already: string[] = [],
): MemberSignature[] {
  const d = fromHex(digestHex);
  const seen = new Set(already.map((a) => a.toLowerCase()));
  return signatures.map((signature, i) => {
    const { r, s, yParity } = splitSignature(signature);
    let member: string;
    try {
      member = recoverSigner(d, r, s, yParity);
    } catch (e) {
      throw new InvalidSignatureError(`signature ${i} does not recover to any key`, { cause: e });
    }
    if (!policy.members.includes(member))
      throw new NotMemberError(`signature ${i} is by ${member}, not a governance member`, {
        data: { signer: member },
      });
    if (seen.has(member))
      throw new DuplicateSignerError(`${member} already signed this`, { data: { signer: member } });
    seen.add(member);
    return { member, signature };
  });
}

export interface QuorumRule {
  required: number;
  /** Why more than the threshold is needed, if it is. */
  reason?: string;
}

/** The threshold, or the supermajority for a change that sets the timelock below its floor. */
export function requiredSignatures(changes: ParamChange[], policy: GovernancePolicy): QuorumRule {
  const lowers = changes.find((c) => c.name === 'timelockSlots' && c.value < policy.timelockFloorSlots);
  if (lowers && policy.supermajority > policy.threshold)
    return {
      required: policy.supermajority,
      reason: `timelockSlots = ${lowers.value} is below the floor ${policy.timelockFloorSlots}: needs the supermajority (${policy.supermajority} of ${policy.members.length})`,
    };
  return { required: policy.threshold };
}

/** The first slot a change reaching quorum now may take effect: never the open slot or before. */
export function earliestActivation(openSlot: number, timelockSlots: number): number {
  return openSlot + Math.max(1, timelockSlots);
}

/**
 * Checked when a proposal is submitted: a requested slot (other than 0, "as soon as allowed")
 * earlier than the timelock allows now can never be honoured.
 */
export function checkActivation(activationSlot: number, openSlot: number, timelockSlots: number): void {
  const earliest = earliestActivation(openSlot, timelockSlots);
  if (activationSlot !== 0 && activationSlot < earliest)
    throw new ActivationTooEarlyError(
      `activation slot ${activationSlot} is too early: with the open slot ${openSlot} and a timelock of ${timelockSlots} slots the earliest is ${earliest}`,
      { data: { earliest } },
    );
}

/** Where a proposal reaching quorum now takes effect: the first slot ≥ both its request and the timelock. */
export function effectiveSlot(activationSlot: number, openSlot: number, timelockSlots: number): number {
  return Math.max(activationSlot, earliestActivation(openSlot, timelockSlots));
}

/**
 * How far past the next nonce a proposal's nonce may be. Without a bound one member could propose
 * 2^53 - 1 and leave no nonce for anyone; a small window still lets a few proposals wait side by side.
 */
export const NONCE_WINDOW = 16;

/**
 * Nonces only go up, and only a decision (a quorum's) consumes one: below the next one is stale,
 * one a decision consumed is reused, and one at or beyond the next nonce + the window is refused.
 */
export function checkNonce(nonce: number, nextNonce: number, usedBy?: string, window = NONCE_WINDOW): void {
  if (usedBy)
    throw new NonceReusedError(`nonce ${nonce} is already used by proposal ${usedBy}`, {
      data: { proposalId: usedBy, nextNonce },
    });
  if (nonce < nextNonce)
    throw new StaleNonceError(`nonce ${nonce} is stale: the next nonce is ${nextNonce}`, {
      data: { nextNonce },
    });
  if (nonce >= nextNonce + window)
    throw new NonceOutOfWindowError(
      `nonce ${nonce} is too far ahead: with the next nonce ${nextNonce} and a window of ${window}, use ${nextNonce}..${nextNonce + window - 1}`,
      { data: { nextNonce, window } },
    );
}
