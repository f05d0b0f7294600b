/**
 * The sealed envelope of a committed transaction: padding to a size bucket, then
 * XChaCha20-Poly1305 under a key the user picks.
 *
 *   padded     = uint32be(len) ‖ raw ‖ zeros, to the smallest bucket that holds it
 *   buckets    = minBytes, 2·minBytes, 4·minBytes, … maxBytes (all powers of two)
 *   ciphertext = 0x01 ‖ nonce (24) ‖ XChaCha20-Poly1305(key, nonce, padded, AD) (bucket + 16)
 *   AD         = "sealane/mempool/v1" ‖ 0x01 ‖ sender (20) ‖ uint64be(slot)
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
export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
/** Length prefix inside the padded plaintext. */
export const LENGTH_PREFIX_BYTES = 4;
/** Bytes a ciphertext has beyond its bucket: version, nonce, tag. */
export const ENVELOPE_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;
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
  const bucket = ciphertext.length - ENVELOPE_OVERHEAD;
  if (!sizes.includes(bucket)) {
    throw new CiphertextSizeError(
      `a ${ciphertext.length}-byte ciphertext is not a bucket size: expected ${ENVELOPE_OVERHEAD} + one of ${sizes.join(', ')}`,
    );
  }
  if (ciphertext[0] !== ENVELOPE_VERSION) {
    throw new CiphertextSizeError(`unknown envelope version ${ciphertext[0]}`);
  }
  return bucket;
}

/** "sealane/mempool/v1" ‖ version ‖ sender ‖ uint64be(slot). */
export function associatedData(ctx: EnvelopeContext): Uint8Array {
  const ad = new Uint8Array(AD_TAG.length + 1 + 20 + 8);
  ad.set(AD_TAG, 0);
  ad[AD_TAG.length] = ENVELOPE_VERSION;
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
  checkKey(key);
  const nonce = opts.nonce ?? randomBytes(NONCE_BYTES);
  if (nonce.length !== NONCE_BYTES) throw new MalformedMessageError(`nonce must be ${NONCE_BYTES} bytes`);
  const padded = pad(raw, opts);
  const sealed = xchacha20poly1305(key, nonce, associatedData(opts)).encrypt(padded);
  const out = new Uint8Array(1 + NONCE_BYTES + sealed.length);
  out[0] = ENVELOPE_VERSION;
  out.set(nonce, 1);
  out.set(sealed, 1 + NONCE_BYTES);
  return out;
}

/**
 * Opens a ciphertext sealed for (sender, slot) and removes the padding. Throws
 * DecryptionFailedError on any wrong key, changed byte, other sender or slot, and
 * InvalidPaddingError if it opens but was padded wrongly by whoever sealed it.
 */
export function decryptTx(ciphertext: Uint8Array, key: Uint8Array, ctx: EnvelopeContext): Uint8Array {
  checkKey(key);
  if (ciphertext.length < ENVELOPE_OVERHEAD + LENGTH_PREFIX_BYTES) {
    throw new CiphertextSizeError(`a ${ciphertext.length}-byte ciphertext is too short`);
  }
  if (ciphertext[0] !== ENVELOPE_VERSION) {
    throw new CiphertextSizeError(`unknown envelope version ${ciphertext[0]}`);
  }
  const nonce = ciphertext.subarray(1, 1 + NONCE_BYTES);
  let padded: Uint8Array;
  try {
    padded = xchacha20poly1305(key, nonce, associatedData(ctx)).decrypt(ciphertext.subarray(1 + NONCE_BYTES));
  } catch (e) {
    throw new DecryptionFailedError(
      'ciphertext does not open: wrong key, altered bytes, or sealed for another sender or slot',
      { cause: e },
    );
  }
  return unpad(padded);
}
