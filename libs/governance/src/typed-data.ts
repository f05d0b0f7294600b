/**
 * The EIP-712 messages of governance: a parameter proposal, an emergency action and a cancel.
 * The domain binds the L2 chain id and a salt unique to this deployment, so a signature is
 * worthless on another chain or another Sealane deployment. Pure.
 */
import { AbiCoder, keccak256, TypedDataEncoder } from 'ethers';
import { InvalidProposalError } from '@sealane/protocol';

export const GOV_DOMAIN_NAME = 'Sealane Governance';
export const GOV_DOMAIN_VERSION = '1';

export interface GovDomain {
  name: string;
  version: string;
  chainId: number;
  salt: string;
}

export interface ParamChange {
  name: string;
  value: number;
}

/** Parameter changes taking effect together, no earlier than `activationSlot` (0: as soon as allowed). */
export interface ParamsProposal {
  changes: ParamChange[];
  activationSlot: number;
  nonce: number;
  chainId: number;
}

export type EmergencyActionName = 'pause' | 'resume';

/** Pauses or resumes bundle intake, effective at once. */
export interface EmergencyAction {
  action: EmergencyActionName;
  nonce: number;
  chainId: number;
}

/** Withdraws a pending or scheduled (not yet active) proposal. */
export interface CancelProposal {
  proposalId: string;
  chainId: number;
}

export const GOV_TYPES = {
  ParamsProposal: {
    ParamsProposal: [
      { name: 'changes', type: 'ParamChange[]' },
      { name: 'activationSlot', type: 'uint64' },
      { name: 'nonce', type: 'uint64' },
      { name: 'chainId', type: 'uint256' },
    ],
    ParamChange: [
      { name: 'name', type: 'string' },
      { name: 'value', type: 'uint256' },
    ],
  },
  EmergencyAction: {
    EmergencyAction: [
      { name: 'action', type: 'string' },
      { name: 'nonce', type: 'uint64' },
      { name: 'chainId', type: 'uint256' },
    ],
  },
  CancelProposal: {
    CancelProposal: [
      { name: 'proposalId', type: 'bytes32' },
      { name: 'chainId', type: 'uint256' },
    ],
  },
} as const;

export type PrimaryType = keyof typeof GOV_TYPES;

export interface MessageOf {
  ParamsProposal: ParamsProposal;
  EmergencyAction: EmergencyAction;
  CancelProposal: CancelProposal;
}

/** The whole typed data, as `eth_signTypedData_v4` and wallets take it. */
export interface TypedData<P extends PrimaryType = PrimaryType> {
  domain: GovDomain;
  types: Record<string, { name: string; type: string }[]>;
  primaryType: P;
  message: MessageOf[P];
}

/** keccak256(abi.encode("sealane-governance", key prefix, anchor)): anchor is the Inbox address or a deployment id. */
export function deploymentSalt(
  keyPrefix: string,
  anchor: { inbox: string } | { deploymentId: string },
): string {
  const coder = AbiCoder.defaultAbiCoder();
  return 'inbox' in anchor
    ? keccak256(
        coder.encode(['string', 'string', 'address'], ['sealane-governance', keyPrefix, anchor.inbox]),
      )
    : keccak256(
        coder.encode(['string', 'string', 'bytes32'], ['sealane-governance', keyPrefix, anchor.deploymentId]),
      );
}

export function governanceDomain(chainId: number, salt: string): GovDomain {
  return { name: GOV_DOMAIN_NAME, version: GOV_DOMAIN_VERSION, chainId, salt: salt.toLowerCase() };
}

export function typedData<P extends PrimaryType>(
  domain: GovDomain,
  primaryType: P,
  message: MessageOf[P],
): TypedData<P> {
  const types = Object.fromEntries(
    Object.entries(GOV_TYPES[primaryType] as Record<string, readonly { name: string; type: string }[]>).map(
      ([k, fields]) => [k, fields.map((f) => ({ ...f }))],
    ),
  );
  return {
    domain,
    types: {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' },
        { name: 'salt', type: 'bytes32' },
      ],
      ...types,
    },
    primaryType,
    message,
  };
}

/** The EIP-712 digest; for proposals it is also their id. */
export function digest<P extends PrimaryType>(
  domain: GovDomain,
  primaryType: P,
  message: MessageOf[P],
): string {
  const types = GOV_TYPES[primaryType] as unknown as Record<string, { name: string; type: string }[]>;
  return TypedDataEncoder.hash(domain, types, message as unknown as Record<string, unknown>).toLowerCase();
}

// ---- decoding untrusted JSON (gateway params, CLI files) -------------------------------------

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InvalidProposalError(`${what} must be an object`);
  return v as Record<string, unknown>;
}

/** A non-negative safe integer, given as a JSON number or a decimal / 0x string. */
export function uint(v: unknown, what: string): number {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^(0x[0-9a-fA-F]{1,14}|[0-9]{1,16})$/.test(v)) n = Number(v);
  if (n === undefined || !Number.isSafeInteger(n) || n < 0)
    throw new InvalidProposalError(`${what} must be a non-negative integer`);
  return n;
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

export function parseDomain(v: unknown): GovDomain {
  const d = obj(v, 'domain');
  if (typeof d.name !== 'string' || typeof d.version !== 'string')
    throw new InvalidProposalError('domain.name and domain.version must be strings');
  if (typeof d.salt !== 'string' || !BYTES32.test(d.salt))
    throw new InvalidProposalError('domain.salt must be 32 bytes of 0x hex');
  return {
    name: d.name,
    version: d.version,
    chainId: uint(d.chainId, 'domain.chainId'),
    salt: d.salt.toLowerCase(),
  };
}

export function parseMessage<P extends PrimaryType>(primaryType: P, v: unknown): MessageOf[P] {
  const m = obj(v, 'message');
  const chainId = uint(m.chainId, 'message.chainId');
  switch (primaryType) {
    case 'ParamsProposal': {
      if (!Array.isArray(m.changes) || m.changes.length === 0)
        throw new InvalidProposalError('message.changes must be a non-empty array of {name, value}');
      const changes = m.changes.map((c, i) => {
        const o = obj(c, `message.changes[${i}]`);
        if (typeof o.name !== 'string' || o.name.length === 0 || o.name.length > 64)
          throw new InvalidProposalError(`message.changes[${i}].name must be a parameter name`);
        return { name: o.name, value: uint(o.value, `message.changes[${i}].value`) };
      });
      const out: ParamsProposal = {
        changes,
        activationSlot: uint(m.activationSlot, 'message.activationSlot'),
        nonce: uint(m.nonce, 'message.nonce'),
        chainId,
      };
      return out as MessageOf[P];
    }
    case 'EmergencyAction': {
      if (m.action !== 'pause' && m.action !== 'resume')
        throw new InvalidProposalError('message.action must be "pause" or "resume"');
      const out: EmergencyAction = { action: m.action, nonce: uint(m.nonce, 'message.nonce'), chainId };
      return out as MessageOf[P];
    }
    case 'CancelProposal': {
      if (typeof m.proposalId !== 'string' || !BYTES32.test(m.proposalId))
        throw new InvalidProposalError('message.proposalId must be a 32-byte 0x hex proposal id');
      const out: CancelProposal = { proposalId: m.proposalId.toLowerCase(), chainId };
      return out as MessageOf[P];
    }
    default:
      throw new InvalidProposalError(`unknown primaryType ${String(primaryType)}`);
  }
}

/** A signed request as sent to the gateway: typed data (types optional) plus signatures. */
export interface SignedRequest<P extends PrimaryType = PrimaryType> {
  domain: GovDomain;
  primaryType: P;
  message: MessageOf[P];
  signatures: string[];
}

export function parseSignatures(v: unknown, what = 'signatures'): string[] {
  if (!Array.isArray(v))
    throw new InvalidProposalError(`${what} must be an array of 65-byte 0x hex signatures`);
  return v.map((s, i) => {
    if (typeof s !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(s))
      throw new InvalidProposalError(`${what}[${i}] must be a 65-byte 0x hex signature`);
    return s.toLowerCase();
  });
}

export function parseSignedRequest<P extends PrimaryType>(
  expected: P,
  v: unknown,
  minSignatures = 1,
): SignedRequest<P> {
  const o = obj(v, 'request');
  if (o.primaryType !== undefined && o.primaryType !== expected)
    throw new InvalidProposalError(`primaryType must be ${expected}, got ${String(o.primaryType)}`);
  const signatures = parseSignatures(o.signatures ?? []);
  if (signatures.length < minSignatures)
    throw new InvalidProposalError(
      `at least ${minSignatures} signature${minSignatures === 1 ? '' : 's'} needed`,
    );
  return {
    domain: parseDomain(o.domain),
    primaryType: expected,
    message: parseMessage(expected, o.message),
    signatures,
  };
}
