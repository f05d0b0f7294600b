/**
 * The sequencer's signed statements, as EIP-712 typed data, so any wallet or contract can check
 * them:
 *
 *   domain        EIP712Domain(string name,string version,uint256 chainId,bytes32 salt)
 *                 name "Sealane Mempool", version "1", chainId = the L2 chain, salt = deployment
 *   receipt       CommitReceipt(uint64 slot,uint32 position,bytes32 commitment,address sender)
 *   slot order    SlotOrder(uint64 slot,uint32 count,bytes32 root)
 *
 * A receipt is signed for every commit, so this is a hot path: the digests are computed here
 * directly and signed synchronously with native libsecp256k1 (npm `secp256k1`, prebuilt; ~10x
 * ethers' pure-JS signer), falling back to the SigningKey. Both are RFC 6979 deterministic and
 * low-s, so they give the same bytes; the specs check both against ethers' TypedDataEncoder,
 * Wallet.signTypedData and verifyTypedData. Signatures are 65 bytes r ‖ s ‖ v (v = 27 or 28).
 */
import { SigningKey, type TypedDataDomain, type TypedDataField } from 'ethers';
import { fromHex, keccak256, recoverSigner, toHex } from '@sealane/protocol';
import { addressBytes, checkBytes32, checkSlot, checkUint32, normalizeAddress, writeWord } from './encoding';
import { MalformedMessageError } from './mempool.error';

export const DOMAIN_NAME = 'Sealane Mempool';
export const DOMAIN_VERSION = '1';

/** Which deployment a signature belongs to: L2 chain id and a 32-byte deployment salt. */
export interface MempoolDomain {
  chainId: bigint;
  salt: Uint8Array;
}

/** The sequencer's answer to a commit. */
export interface CommitReceipt {
  slot: bigint;
  position: number;
  commitment: Uint8Array;
  /** Lowercase 0x address. */
  sender: string;
}

/** The order of a slot, fixed at its close: count commitments under a Merkle root (./order.ts). */
export interface SlotOrder {
  slot: bigint;
  count: number;
  root: Uint8Array;
}

export interface SignedReceipt {
  receipt: CommitReceipt;
  signature: Uint8Array;
}

export interface SignedSlotOrder {
  order: SlotOrder;
  signature: Uint8Array;
}

/** A Wallet (or anything holding a SigningKey) or the key itself. */
export type Signer = SigningKey | { readonly signingKey: SigningKey };

export const RECEIPT_TYPES: Record<string, TypedDataField[]> = {
  CommitReceipt: [
    { name: 'slot', type: 'uint64' },
    { name: 'position', type: 'uint32' },
    { name: 'commitment', type: 'bytes32' },
    { name: 'sender', type: 'address' },
  ],
};

export const SLOT_ORDER_TYPES: Record<string, TypedDataField[]> = {
  SlotOrder: [
    { name: 'slot', type: 'uint64' },
    { name: 'count', type: 'uint32' },
    { name: 'root', type: 'bytes32' },
  ],
};

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const DOMAIN_TYPEHASH = keccak256(
  utf8('EIP712Domain(string name,string version,uint256 chainId,bytes32 salt)'),
);
const RECEIPT_TYPEHASH = keccak256(
  utf8('CommitReceipt(uint64 slot,uint32 position,bytes32 commitment,address sender)'),
);
const SLOT_ORDER_TYPEHASH = keccak256(utf8('SlotOrder(uint64 slot,uint32 count,bytes32 root)'));
const NAME_HASH = keccak256(utf8(DOMAIN_NAME));
const VERSION_HASH = keccak256(utf8(DOMAIN_VERSION));
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** A 32-byte salt naming one deployment (e.g. its key prefix): keccak256("sealane.deployment:" + name). */
export function deploymentSalt(name: string): Uint8Array {
  return keccak256(utf8(`sealane.deployment:${name}`));
}

/** The domain in ethers' form, for TypedDataEncoder, signTypedData and verifyTypedData. */
export function typedDataDomain(domain: MempoolDomain): TypedDataDomain {
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId: domain.chainId, salt: toHex(domain.salt) };
}

export function receiptTypedValue(r: CommitReceipt): Record<string, unknown> {
  return { slot: r.slot, position: r.position, commitment: toHex(r.commitment), sender: r.sender };
}

export function slotOrderTypedValue(o: SlotOrder): Record<string, unknown> {
  return { slot: o.slot, count: o.count, root: toHex(o.root) };
}

const separators = new Map<string, Uint8Array>();

function domainSeparator(domain: MempoolDomain): Uint8Array {
  if (typeof domain.chainId !== 'bigint' || domain.chainId < 0n) {
    throw new MalformedMessageError('domain chainId must be a uint256');
  }
  checkBytes32(domain.salt, 'domain salt');
  const id = `${domain.chainId}:${toHex(domain.salt)}`;
  let sep = separators.get(id);
  if (!sep) {
    const buf = new Uint8Array(160);
    buf.set(DOMAIN_TYPEHASH, 0);
    buf.set(NAME_HASH, 32);
    buf.set(VERSION_HASH, 64);
    writeWord(buf, 96, domain.chainId);
    buf.set(domain.salt, 128);
    sep = keccak256(buf);
    separators.set(id, sep);
  }
  return sep;
}

function typedDigest(domain: MempoolDomain, structHash: Uint8Array): Uint8Array {
  const buf = new Uint8Array(66);
  buf[0] = 0x19;
  buf[1] = 0x01;
  buf.set(domainSeparator(domain), 2);
  buf.set(structHash, 34);
  return keccak256(buf);
}

/** The EIP-712 digest of a receipt (what the sequencer signs). */
export function receiptDigest(r: CommitReceipt, domain: MempoolDomain): Uint8Array {
  const buf = new Uint8Array(160);
  buf.set(RECEIPT_TYPEHASH, 0);
  writeWord(buf, 32, checkSlot(r.slot));
  writeWord(buf, 64, BigInt(checkUint32(r.position, 'position')));
  buf.set(checkBytes32(r.commitment, 'commitment'), 96);
  buf.set(addressBytes(r.sender, 'sender'), 128 + 12);
  return typedDigest(domain, keccak256(buf));
}

/** The EIP-712 digest of a slot order. */
export function slotOrderDigest(o: SlotOrder, domain: MempoolDomain): Uint8Array {
  const buf = new Uint8Array(128);
  buf.set(SLOT_ORDER_TYPEHASH, 0);
  writeWord(buf, 32, checkSlot(o.slot));
  writeWord(buf, 64, BigInt(checkUint32(o.count, 'count')));
  buf.set(checkBytes32(o.root, 'root'), 96);
  return typedDigest(domain, keccak256(buf));
}

export type SigningBackend = 'native' | 'js';

interface NativeSigner {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
}

let native: NativeSigner | null | undefined;

function loadNative(): NativeSigner | null {
  if (native !== undefined) return native;
  try {
    // The addon itself, not the package's index (which silently falls back to elliptic).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    native = require('secp256k1/bindings') as NativeSigner;
  } catch {
    native = null;
  }
  return native;
}

export function nativeSigningAvailable(): boolean {
  return loadNative() !== null;
}

const secretKeys = new WeakMap<SigningKey, Uint8Array>();

function sign(signer: Signer, digest: Uint8Array, backend: SigningBackend | undefined): Uint8Array {
  const key = signer instanceof SigningKey ? signer : signer.signingKey;
  const lib = backend === 'js' ? null : loadNative();
  if (backend === 'native' && !lib) throw new Error('native secp256k1 is not available');
  if (!lib) return fromHex(key.sign(digest).serialized);
  let secret = secretKeys.get(key);
  if (!secret) {
    secret = fromHex(key.privateKey);
    secretKeys.set(key, secret);
  }
  const { signature, recid } = lib.ecdsaSign(digest, secret);
  const out = new Uint8Array(65);
  out.set(signature, 0);
  out[64] = 27 + recid;
  return out;
}

/** True iff `signature` over `digest` recovers to `expected`. Never throws. */
function signedBy(digest: Uint8Array, signature: Uint8Array, expected: string): boolean {
  try {
    if (!(signature instanceof Uint8Array) || signature.length !== 65) return false;
    const v = signature[64];
    const yParity = v === 27 || v === 0 ? 0 : v === 28 || v === 1 ? 1 : -1;
    if (yParity < 0) return false;
    const s = signature.subarray(32, 64);
    // A high s is a second encoding of the same signature; accepting one form keeps proofs unique.
    if (BigInt(toHex(s)) > SECP256K1_HALF_N) return false;
    return (
      recoverSigner(digest, signature.subarray(0, 32), s, yParity as 0 | 1) === normalizeAddress(expected)
    );
  } catch {
    return false;
  }
}

export function signReceipt(
  signer: Signer,
  receipt: CommitReceipt,
  domain: MempoolDomain,
  backend?: SigningBackend,
): Uint8Array {
  return sign(signer, receiptDigest(receipt, domain), backend);
}

/** True iff the sequencer at `sequencer` signed this receipt in this domain. Never throws. */
export function verifyReceipt(
  receipt: CommitReceipt,
  signature: Uint8Array,
  sequencer: string,
  domain: MempoolDomain,
): boolean {
  try {
    return signedBy(receiptDigest(receipt, domain), signature, sequencer);
  } catch {
    return false;
  }
}

export function signSlotOrder(
  signer: Signer,
  order: SlotOrder,
  domain: MempoolDomain,
  backend?: SigningBackend,
): Uint8Array {
  return sign(signer, slotOrderDigest(order, domain), backend);
}

/** True iff the sequencer at `sequencer` signed this slot order in this domain. Never throws. */
export function verifySlotOrder(
  order: SlotOrder,
  signature: Uint8Array,
  sequencer: string,
  domain: MempoolDomain,
): boolean {
  try {
    return signedBy(slotOrderDigest(order, domain), signature, sequencer);
  } catch {
    return false;
  }
}
