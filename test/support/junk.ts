/**
 * Junk for the close: transfers signed fast from fresh keys (native libsecp256k1, as the
 * benchmarks sign; ethers' JS curve code would take minutes for tens of thousands), and bundles
 * of them written straight into the bundle store, as intake would have stored them.
 */
import { randomBytes } from 'node:crypto';
import { getBytes } from 'ethers';
import { ecdsaSign, privateKeyVerify, publicKeyCreate } from 'secp256k1';
import { bundleHash, fromHex, keccak256, toHex } from '@sealane/protocol';
import type { StoredBundle } from '@sealane/store';

const CHAIN_ID = 24225;
const SINK = '0x000000000000000000000000000000000000dEaD';
const GWEI = 10n ** 9n;

export interface Key {
  secret: Uint8Array;
  /** Lowercase address. */
  address: string;
}

export interface Signed {
  raw: string;
  hash: string;
  from: string;
}

export function freshKey(): Key {
  let secret: Uint8Array;
  do secret = new Uint8Array(randomBytes(32));
  while (!privateKeyVerify(secret));
  const pub = publicKeyCreate(secret, false);
  return { secret, address: toHex(keccak256(pub.subarray(1)).subarray(12)) };
}

/** A key from a 0x private key (a dev key, say). */
export function keyOf(hex: string): Key {
  const secret = getBytes(hex);
  const pub = publicKeyCreate(secret, false);
  return { secret, address: toHex(keccak256(pub.subarray(1)).subarray(12)) };
}

/** RLP header of a string (0x80) or list (0xc0) whose payload is `len` bytes. */
function header(base: number, len: number): Uint8Array {
  if (len <= 55) return Uint8Array.of(base + len);
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return Uint8Array.from([base + 55 + bytes.length, ...bytes]);
}

function rlpBytes(b: Uint8Array): Uint8Array {
  return b.length === 1 && b[0] < 0x80 ? b : concat([header(0x80, b.length), b]);
}

function rlpList(items: Uint8Array[]): Uint8Array {
  const body = concat(items);
  return concat([header(0xc0, body.length), body]);
}

/** RLP of an unsigned integer: big-endian bytes without leading zeros. */
function rlpUint(v: bigint): Uint8Array {
  const bytes: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) bytes.unshift(Number(x & 0xffn));
  return rlpBytes(Uint8Array.from(bytes));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const toUint = (b: Uint8Array): bigint => BigInt(toHex(b));

/**
 * An EIP-1559 transaction encoded and signed here (ethers' serializer and keccak take about 3 ms
 * a transfer and a second for 100 KB of calldata; this is the native path, a few µs).
 */
export function signFast(
  key: Key,
  o: {
    nonce: number;
    to?: string | null;
    value?: bigint;
    gasLimit?: bigint;
    data?: string;
    maxFeePerGas?: bigint;
  },
): Signed {
  const fields = [
    rlpUint(BigInt(CHAIN_ID)),
    rlpUint(BigInt(o.nonce)),
    rlpUint(GWEI),
    rlpUint(o.maxFeePerGas ?? 100n * GWEI),
    rlpUint(o.gasLimit ?? 21_000n),
    o.to === null ? rlpBytes(new Uint8Array(0)) : rlpBytes(fromHex(o.to ?? SINK)),
    rlpUint(o.value ?? 1n),
    rlpBytes(fromHex(o.data ?? '0x')),
    rlpList([]),
  ];
  const digest = keccak256(concat([Uint8Array.of(2), rlpList(fields)]));
  const { signature, recid } = ecdsaSign(digest, key.secret);
  const signed = concat([
    Uint8Array.of(2),
    rlpList([
      ...fields,
      rlpUint(BigInt(recid)),
      rlpUint(toUint(signature.subarray(0, 32))),
      rlpUint(toUint(signature.subarray(32, 64))),
    ]),
  ]);
  return { raw: toHex(signed), hash: toHex(keccak256(signed)), from: key.address };
}

/** A bundle of 100 transfers, each from its own fresh (unfunded) key. */
export function junkTxs(n = 100): Signed[] {
  return Array.from({ length: n }, () => signFast(freshKey(), { nonce: 0 }));
}

/** The bundle as the gateway stores it, senders included. */
export function storedBundle(
  txs: Signed[],
  slot: number,
  searcher: string,
  extra: Partial<StoredBundle> = {},
): StoredBundle {
  const txHashes = txs.map((t) => t.hash);
  return {
    bundleHash: toHex(bundleHash(txHashes.map((h) => fromHex(h)))),
    searcher,
    slot,
    txs: txs.map((t) => t.raw),
    txHashes,
    senders: txs.map((t) => t.from),
    revertingTxHashes: [],
    droppingTxHashes: [],
    receivedAt: Date.now(),
    ...extra,
  };
}
