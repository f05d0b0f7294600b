/**
 * JSON forms of the mempool's messages, for the gateway and the SDK: bytes as 0x hex, numbers as
 * 0x quantities (as in Ethereum JSON-RPC), addresses lowercase. `…FromJson` takes `unknown` and
 * throws MalformedMessageError on anything off.
 *
 *   sealane_commit          params [CommitRequestJson]      → SignedReceiptJson
 *   sealane_getSlotOrder    params [slot]                   → SignedSlotOrderJson (with commitments)
 *   sealane_reveal          params [RevealRequestJson]
 */
import { fromHex, toHex } from '@sealane/protocol';
import type { RevealRequest } from './client';
import type { CommitRequest } from './commitment';
import { checkSlot, checkUint32, normalizeAddress } from './encoding';
import { MalformedMessageError } from './mempool.error';
import type { SignedReceipt, SignedSlotOrder } from './signatures';

export interface CommitRequestJson {
  sender: string;
  slot: string;
  ciphertext: string;
  feeTx: string;
}

export interface SignedReceiptJson {
  slot: string;
  position: string;
  commitment: string;
  sender: string;
  signature: string;
}

export interface SignedSlotOrderJson {
  slot: string;
  count: string;
  root: string;
  signature: string;
  /** The commitments in position order, when the whole list is published. */
  commitments?: string[];
}

export interface RevealRequestJson {
  commitment: string;
  key: string;
}

const QUANTITY = /^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/;

export const quantity = (n: bigint | number): string => `0x${n.toString(16)}`;

function obj(x: unknown, what: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x))
    throw new MalformedMessageError(`${what} must be an object`);
  return x as Record<string, unknown>;
}

function bytes(x: unknown, what: string, length?: number): Uint8Array {
  let b: Uint8Array;
  try {
    b = fromHex(x as string);
  } catch {
    throw new MalformedMessageError(`${what} must be 0x-prefixed hex bytes`);
  }
  if (length !== undefined && b.length !== length)
    throw new MalformedMessageError(`${what} must be ${length} bytes`);
  return b;
}

function big(x: unknown, what: string): bigint {
  if (typeof x !== 'string' || !QUANTITY.test(x))
    throw new MalformedMessageError(`${what} must be a 0x quantity`);
  return BigInt(x);
}

function uint32(x: unknown, what: string): number {
  const n = big(x, what);
  if (n > 0xffff_ffffn) throw new MalformedMessageError(`${what} must be a uint32`);
  return Number(n);
}

function address(x: unknown, what: string): string {
  return normalizeAddress(x as string, what);
}

export function commitRequestToJson(r: CommitRequest): CommitRequestJson {
  return {
    sender: normalizeAddress(r.sender),
    slot: quantity(checkSlot(r.slot)),
    ciphertext: toHex(r.ciphertext),
    feeTx: toHex(r.feeTx),
  };
}

export function commitRequestFromJson(x: unknown): CommitRequest {
  const o = obj(x, 'commit request');
  return {
    sender: address(o.sender, 'sender'),
    slot: checkSlot(big(o.slot, 'slot')),
    ciphertext: bytes(o.ciphertext, 'ciphertext'),
    feeTx: bytes(o.feeTx, 'feeTx'),
  };
}

export function signedReceiptToJson(s: SignedReceipt): SignedReceiptJson {
  const r = s.receipt;
  return {
    slot: quantity(r.slot),
    position: quantity(checkUint32(r.position, 'position')),
    commitment: toHex(r.commitment),
    sender: normalizeAddress(r.sender),
    signature: toHex(s.signature),
  };
}

export function signedReceiptFromJson(x: unknown): SignedReceipt {
  const o = obj(x, 'receipt');
  return {
    receipt: {
      slot: checkSlot(big(o.slot, 'slot')),
      position: uint32(o.position, 'position'),
      commitment: bytes(o.commitment, 'commitment', 32),
      sender: address(o.sender, 'sender'),
    },
    signature: bytes(o.signature, 'signature', 65),
  };
}

export function signedSlotOrderToJson(
  s: SignedSlotOrder,
  commitments?: readonly Uint8Array[],
): SignedSlotOrderJson {
  const o = s.order;
  return {
    slot: quantity(o.slot),
    count: quantity(checkUint32(o.count, 'count')),
    root: toHex(o.root),
    signature: toHex(s.signature),
    ...(commitments ? { commitments: commitments.map(toHex) } : {}),
  };
}

export function signedSlotOrderFromJson(x: unknown): { signed: SignedSlotOrder; commitments?: Uint8Array[] } {
  const o = obj(x, 'slot order');
  const signed: SignedSlotOrder = {
    order: {
      slot: checkSlot(big(o.slot, 'slot')),
      count: uint32(o.count, 'count'),
      root: bytes(o.root, 'root', 32),
    },
    signature: bytes(o.signature, 'signature', 65),
  };
  if (o.commitments === undefined) return { signed };
  if (!Array.isArray(o.commitments)) throw new MalformedMessageError('commitments must be an array');
  return { signed, commitments: o.commitments.map((c, i) => bytes(c, `commitments[${i}]`, 32)) };
}

export function revealRequestToJson(r: RevealRequest): RevealRequestJson {
  return { commitment: toHex(r.commitment), key: toHex(r.key) };
}

export function revealRequestFromJson(x: unknown): RevealRequest {
  const o = obj(x, 'reveal request');
  return { commitment: bytes(o.commitment, 'commitment', 32), key: bytes(o.key, 'key', 32) };
}

/** Anything with bytes and bigints inside, as JSON-ready hex: what `sealane audit` prints as proof. */
export type Jsonified<T> = T extends Uint8Array
  ? string
  : T extends bigint
    ? string
    : T extends readonly (infer U)[]
      ? Jsonified<U>[]
      : T extends object
        ? { [K in keyof T]: Jsonified<T[K]> }
        : T;

/** Bytes to 0x hex, bigints to 0x quantities, recursively; for printing reports and proofs. */
export function toJsonValue<T>(value: T): Jsonified<T> {
  const walk = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return toHex(v);
    if (typeof v === 'bigint') return quantity(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .map(([k, x]) => [k, walk(x)]),
      );
    }
    return v;
  };
  return walk(value) as Jsonified<T>;
}
