/**
 * The sealed envelope of a committed transaction: padding to a size bucket, then
 * XChaCha20-Poly1305 under a key the user picks.
 *
 *   padded     = uint32be(len) ‖ raw ‖ zeros, to the smallest bucket that holds it
 *   buckets    = minBytes, 2·minBytes, 4·minBytes, … maxBytes (all powers of two)
 *   ciphertext = 0x01 ‖ nonce (24) ‖ XChaCha20-Poly1305(key, nonce, padded, AD) (bucket + 16)
 *   AD         = "sealane/mempool/v1" ‖ 0x01 ‖ sender (20) ‖ uint64be(slot)
 *
 * Version 2 seals to a slot instead of to a key the user keeps (the keypers release the key after
 * the slot's order is published; see @sealane/threshold's ibe.ts):
 *
 *   ciphertext = 0x02 ‖ U (48) ‖ nonce (24) ‖ XChaCha20-Poly1305(kemKey, nonce, padded, AD)
 *   kemKey     = KEM key of U under the keyper set's public key, for identity (chainId, slot)
 *   AD         = "sealane/mempool/v1" ‖ 0x02 ‖ sender (20) ‖ uint64be(slot)
 *
 * The user learns kemKey when it seals, so it can still reveal it itself (the commit-reveal
 * fallback); the builder gets it from the slot key with decapsulate(U, slotKey).
 *
 * XChaCha20 rather than AES-GCM: a random 24-byte nonce never needs a counter, and the pure-JS
 * cipher runs in constant time without AES-NI. The sender and slot ride in the associated data,
 * so a ciphertext copied under another sender or slot does not open. Only the length of the
 * bucket leaks. The padding is canonical (zeros only), so one plaintext has one padded form.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha';
import { randomBytes } from '@noble/ciphers/webcrypto';
import {
  CiphertextSizeError,
  DecryptionFailedError,
  InvalidMempoolParamsError,
  InvalidPaddingError,
  MalformedMessageError,
  PlaintextTooLargeError,
} from './mempool.error';
import { addressBytes, checkSlot } from './encoding';

/** The first byte of every ciphertext: 0x01 = XChaCha20-Poly1305 over a length-prefixed bucket. */
export const ENVELOPE_VERSION = 0x01;
/** 0x02: the same, under a key encapsulated to the slot for the keypers. */
export const KEYPER_ENVELOPE_VERSION = 0x02;
export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
/** Length prefix inside the padded plaintext. */
export const LENGTH_PREFIX_BYTES = 4;
/** Bytes a ciphertext has beyond its bucket: version, nonce, tag. */
export const ENVELOPE_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;
/** The encapsulation U of a version 2 ciphertext (a compressed G1 point). */
export const KEM_U_BYTES = 48;
export const KEYPER_ENVELOPE_OVERHEAD = ENVELOPE_OVERHEAD + KEM_U_BYTES;

/** Where the nonce starts, by version (0 for an unknown one). */
function nonceOffset(version: number | undefined): number {
  if (version === ENVELOPE_VERSION) return 1;
  if (version === KEYPER_ENVELOPE_VERSION) return 1 + KEM_U_BYTES;
  return 0;
}

/** The version 2 ciphertext's U: what decapsulate needs with the slot key. */
export function kemEncapsulation(ciphertext: Uint8Array): Uint8Array | undefined {
  return ciphertext[0] === KEYPER_ENVELOPE_VERSION && ciphertext.length > KEYPER_ENVELOPE_OVERHEAD
    ? ciphertext.subarray(1, 1 + KEM_U_BYTES)
    : undefined;
}
/** Smallest and largest bucket this code accepts as a parameter. */
export const MIN_BUCKET_BYTES = 16;
export const MAX_BUCKET_BYTES = 1 << 24;

const AD_TAG = new TextEncoder().encode('sealane/mempool/v1');

export interface BucketParams {
  /** Smallest bucket, a power of two. */
  minBytes: number;
  /** Largest bucket, a power of two ≥ minBytes; a longer transaction cannot be sealed. */
  maxBytes: number;
}

/** Who and when a ciphertext is sealed for; both go into the associated data. */
export interface EnvelopeContext {
  /** 0x + 20 bytes, any case. */
  sender: string;
  slot: bigint;
}

export interface EncryptOptions extends EnvelopeContext, BucketParams {
  /** Fixed nonce, for known-answer tests only. Never reuse a nonce with the same key. */
  nonce?: Uint8Array;
}

/** A fresh random key for one transaction (never reuse a key across commitments). */
export function generateKey(): Uint8Array {
  return randomBytes(KEY_BYTES);
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Throws InvalidMempoolParamsError unless min and max are powers of two in range, min ≤ max. */
export function checkBucketParams(p: BucketParams): void {
  for (const [k, v] of [
    ['minBytes', p.minBytes],
    ['maxBytes', p.maxBytes],
  ] as const) {
    if (!isPowerOfTwo(v) || v < MIN_BUCKET_BYTES || v > MAX_BUCKET_BYTES) {
      throw new InvalidMempoolParamsError(
        `${k} = ${v} must be a power of two in [${MIN_BUCKET_BYTES}, ${MAX_BUCKET_BYTES}]`,
      );
    }
  }
  if (p.minBytes > p.maxBytes) throw new InvalidMempoolParamsError('minBytes must not exceed maxBytes');
}

/** All bucket sizes, smallest first. */
export function bucketSizes(p: BucketParams): number[] {
  checkBucketParams(p);
  const out: number[] = [];
  for (let b = p.minBytes; b <= p.maxBytes; b *= 2) out.push(b);
  return out;
}

/** The bucket a plaintext of `length` bytes is padded to. Throws PlaintextTooLargeError above max. */
export function bucketFor(length: number, p: BucketParams): number {
  checkBucketParams(p);
  const need = length + LENGTH_PREFIX_BYTES;
  if (need > p.maxBytes) {
    throw new PlaintextTooLargeError(
      `a ${length}-byte transaction does not fit in the largest bucket (${p.maxBytes} bytes with its ${LENGTH_PREFIX_BYTES}-byte length prefix)`,
    );
  }
  let b = p.minBytes;
  while (b < need) b *= 2;
  return b;
}

/** The largest transaction that can be sealed under these parameters. */
export function maxPlaintextBytes(p: BucketParams): number {
  checkBucketParams(p);
  return p.maxBytes - LENGTH_PREFIX_BYTES;
}

/** uint32be(len) ‖ raw ‖ zeros, `bucketFor(raw.length)` bytes long. */
export function pad(raw: Uint8Array, p: BucketParams): Uint8Array {
  const out = new Uint8Array(bucketFor(raw.length, p));
  new DataView(out.buffer).setUint32(0, raw.length);
  out.set(raw, LENGTH_PREFIX_BYTES);
  return out;
}

/** Inverse of pad. Throws InvalidPaddingError unless the prefix fits and every pad byte is zero. */
export function unpad(padded: Uint8Array): Uint8Array {
  if (padded.length < LENGTH_PREFIX_BYTES) throw new InvalidPaddingError('padded plaintext is too short');
  const len = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0);
  const end = LENGTH_PREFIX_BYTES + len;
  if (end > padded.length) throw new InvalidPaddingError('length prefix is beyond the padded plaintext');
  for (let i = end; i < padded.length; i++) {
    if (padded[i] !== 0) throw new InvalidPaddingError('padding bytes must be zero');
  }
  return padded.slice(LENGTH_PREFIX_BYTES, end);
}

/** The bucket a ciphertext's length stands for; throws CiphertextSizeError if it is none. */
export function ciphertextBucket(ciphertext: Uint8Array, p: BucketParams): number {
  const sizes = bucketSizes(p);
  const keyper = ciphertext[0] === KEYPER_ENVELOPE_VERSION;
  const overhead = keyper ? KEYPER_ENVELOPE_OVERHEAD : ENVELOPE_OVERHEAD;
  const bucket = ciphertext.length - overhead;
  if (!sizes.includes(bucket)) {
    throw new CiphertextSizeError(
      `a ${ciphertext.length}-byte ciphertext is not a bucket size: expected ${overhead} + one of ${sizes.join(', ')}`,
    );
  }
  if (ciphertext[0] !== ENVELOPE_VERSION && !keyper) {
    throw new CiphertextSizeError(`unknown envelope version ${ciphertext[0]}`);
  }
  return bucket;
}

/** "sealane/mempool/v1" ‖ version ‖ sender ‖ uint64be(slot). */
export function associatedData(ctx: EnvelopeContext, version = ENVELOPE_VERSION): Uint8Array {
  const ad = new Uint8Array(AD_TAG.length + 1 + 20 + 8);
  ad.set(AD_TAG, 0);
  ad[AD_TAG.length] = version;
  ad.set(addressBytes(ctx.sender), AD_TAG.length + 1);
  new DataView(ad.buffer).setBigUint64(AD_TAG.length + 21, checkSlot(ctx.slot));
  return ad;
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new MalformedMessageError(`key must be ${KEY_BYTES} bytes`);
  }
}

/** Pads and seals a signed raw transaction for (sender, slot). */
export function encryptTx(raw: Uint8Array, key: Uint8Array, opts: EncryptOptions): Uint8Array {
  return seal(raw, key, opts, ENVELOPE_VERSION, new Uint8Array(0));
}

function seal(
  raw: Uint8Array,
  key: Uint8Array,
  opts: EncryptOptions,
  version: number,
  u: Uint8Array,
): Uint8Array {
  checkKey(key);
  const nonce = opts.nonce ?? randomBytes(NONCE_BYTES);
  if (nonce.length !== NONCE_BYTES) throw new MalformedMessageError(`nonce must be ${NONCE_BYTES} bytes`);
  const padded = pad(raw, opts);
  const sealed = xchacha20poly1305(key, nonce, associatedData(opts, version)).encrypt(padded);
  const out = new Uint8Array(1 + u.length + NONCE_BYTES + sealed.length);
  out[0] = version;
  out.set(u, 1);
  out.set(nonce, 1 + u.length);
  out.set(sealed, 1 + u.length + NONCE_BYTES);
  return out;
}

/**
 * Version 2: pads and seals for (sender, slot) under `kemKey`, carrying its encapsulation `u`
 * (from @sealane/threshold's encapsulate to the keyper set's public key for this slot).
 */
export function encryptTxToSlot(
  raw: Uint8Array,
  kem: { u: Uint8Array; key: Uint8Array },
  opts: EncryptOptions,
): Uint8Array {
  if (kem.u.length !== KEM_U_BYTES) throw new MalformedMessageError(`U must be ${KEM_U_BYTES} bytes`);
  return seal(raw, kem.key, opts, KEYPER_ENVELOPE_VERSION, kem.u);
}

/**
 * Opens a ciphertext sealed for (sender, slot) and removes the padding. Throws
 * DecryptionFailedError on any wrong key, changed byte, other sender or slot, and
 * InvalidPaddingError if it opens but was padded wrongly by whoever sealed it.
 */
export function decryptTx(ciphertext: Uint8Array, key: Uint8Array, ctx: EnvelopeContext): Uint8Array {
  checkKey(key);
  const version = ciphertext[0];
  const at = nonceOffset(version);
  if (at === 0) throw new CiphertextSizeError(`unknown envelope version ${version}`);
  if (ciphertext.length < at + NONCE_BYTES + TAG_BYTES + LENGTH_PREFIX_BYTES) {
    throw new CiphertextSizeError(`a ${ciphertext.length}-byte ciphertext is too short`);
  }
  const nonce = ciphertext.subarray(at, at + NONCE_BYTES);
  let padded: Uint8Array;
  try {
    padded = xchacha20poly1305(key, nonce, associatedData(ctx, version)).decrypt(
      ciphertext.subarray(at + NONCE_BYTES),
    );
  } catch (e) {
    throw new DecryptionFailedError(
      'ciphertext does not open: wrong key, altered bytes, or sealed for another sender or slot',
      { cause: e },
    );
  }
  return unpad(padded);
}
