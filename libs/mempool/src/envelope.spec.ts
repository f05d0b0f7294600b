import fc from 'fast-check';
import { xchacha20poly1305 } from '@noble/ciphers/chacha';
import { toHex } from '@sealane/protocol';
import {
  associatedData,
  bucketFor,
  bucketSizes,
  ciphertextBucket,
  CiphertextSizeError,
  decryptTx,
  DecryptionFailedError,
  encryptTx,
  ENVELOPE_OVERHEAD,
  generateKey,
  InvalidMempoolParamsError,
  InvalidPaddingError,
  MalformedMessageError,
  maxPlaintextBytes,
  NONCE_BYTES,
  pad,
  PlaintextTooLargeError,
  TAG_BYTES,
  unpad,
} from './index';

const SENDER = '0x1111111111111111111111111111111111111111';
const OTHER = '0x2222222222222222222222222222222222222222';
const P = { minBytes: 16, maxBytes: 1024 };
const ctx = { sender: SENDER, slot: 7n };
const KEY = new Uint8Array(32).map((_, i) => i);
const NONCE = new Uint8Array(24).map((_, i) => 0xa0 + i);

const flip = (b: Uint8Array, i: number, bit = 1): Uint8Array => {
  const c = b.slice();
  c[i] ^= bit;
  return c;
};

describe('padding buckets', () => {
  it('lists powers of two from min to max', () => {
    expect(bucketSizes(P)).toEqual([16, 32, 64, 128, 256, 512, 1024]);
  });

  it('maps every size to the smallest bucket holding it and its 4-byte prefix', () => {
    for (let len = 0; len <= maxPlaintextBytes(P); len++) {
      const b = bucketFor(len, P);
      expect(b).toBeGreaterThanOrEqual(len + 4);
      expect(b === P.minBytes || b / 2 < len + 4).toBe(true);
      expect(bucketSizes(P)).toContain(b);
    }
  });

  it('unpads exactly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: maxPlaintextBytes(P) }), (raw) => {
        const padded = pad(raw, P);
        expect(padded.length).toBe(bucketFor(raw.length, P));
        expect(unpad(padded)).toEqual(raw);
      }),
    );
  });

  it('refuses a plaintext above the largest bucket', () => {
    expect(() => pad(new Uint8Array(P.maxBytes - 4), P)).not.toThrow();
    expect(() => pad(new Uint8Array(P.maxBytes - 3), P)).toThrow(PlaintextTooLargeError);
    expect(() => encryptTx(new Uint8Array(P.maxBytes), KEY, { ...ctx, ...P })).toThrow(
      PlaintextTooLargeError,
    );
  });

  it('rejects non-canonical padding', () => {
    const padded = pad(Uint8Array.of(1, 2, 3), P);
    expect(() => unpad(flip(padded, padded.length - 1))).toThrow(InvalidPaddingError);
    const long = padded.slice();
    long[3] = 200; // length prefix beyond the bucket
    expect(() => unpad(long)).toThrow(InvalidPaddingError);
    expect(() => unpad(new Uint8Array(3))).toThrow(InvalidPaddingError);
  });

  it('refuses bucket parameters that are not powers of two in order', () => {
    for (const bad of [
      { minBytes: 100, maxBytes: 1024 },
      { minBytes: 16, maxBytes: 1000 },
      { minBytes: 2048, maxBytes: 1024 },
      { minBytes: 8, maxBytes: 1024 },
      { minBytes: 0, maxBytes: 1024 },
    ]) {
      expect(() => bucketFor(1, bad)).toThrow(InvalidMempoolParamsError);
    }
  });

  it('checks a ciphertext length is a bucket size', () => {
    for (const b of bucketSizes(P)) {
      const c = new Uint8Array(ENVELOPE_OVERHEAD + b);
      c[0] = 1;
      expect(ciphertextBucket(c, P)).toBe(b);
      expect(() => ciphertextBucket(c.subarray(1), P)).toThrow(CiphertextSizeError);
      expect(() => ciphertextBucket(new Uint8Array(c.length + 1).fill(1), P)).toThrow(CiphertextSizeError);
    }
    expect(() => ciphertextBucket(new Uint8Array(ENVELOPE_OVERHEAD + 2048).fill(1), P)).toThrow(
      CiphertextSizeError,
    );
    const wrongVersion = new Uint8Array(ENVELOPE_OVERHEAD + 16);
    expect(() => ciphertextBucket(wrongVersion, P)).toThrow(CiphertextSizeError);
  });
});

describe('encryptTx / decryptTx', () => {
  it('matches the documented layout (known-answer vector)', () => {
    const raw = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
    const c = encryptTx(raw, KEY, { ...ctx, ...P, nonce: NONCE });
    const sealed = xchacha20poly1305(KEY, NONCE, associatedData(ctx)).encrypt(pad(raw, P));
    expect(toHex(c)).toBe(toHex(Uint8Array.of(1, ...NONCE, ...sealed)));
    expect(toHex(associatedData(ctx))).toBe(
      toHex(new TextEncoder().encode('sealane/mempool/v1')) + '01' + SENDER.slice(2) + '0000000000000007',
    );
    // Pinned: any change to padding, associated data or layout changes these bytes.
    expect(toHex(c)).toBe(
      '0x01a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7' +
        '45ec0a1969f01a43616f2d897130a3c09a1b61b4d6ff537cf98bfcf7c9e5d523',
    );
    expect(c.length).toBe(ENVELOPE_OVERHEAD + 16);
  });

  it('round-trips any transaction, sender and slot', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: maxPlaintextBytes(P) }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (raw, key, sender, slot) => {
          const c2 = { sender: toHex(sender), slot };
          const c = encryptTx(raw, key, { ...c2, ...P });
          expect(c.length).toBe(ENVELOPE_OVERHEAD + bucketFor(raw.length, P));
          expect(decryptTx(c, key, c2)).toEqual(raw);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hides the length within a bucket and uses a fresh nonce each time', () => {
    const a = encryptTx(new Uint8Array(20), KEY, { ...ctx, ...P });
    const b = encryptTx(new Uint8Array(28), KEY, { ...ctx, ...P });
    const c = encryptTx(new Uint8Array(20), KEY, { ...ctx, ...P });
    expect(a.length).toBe(b.length);
    expect(toHex(a)).not.toBe(toHex(c));
  });

  describe('tamper detection', () => {
    const raw = new Uint8Array(100).fill(7);
    const c = encryptTx(raw, KEY, { ...ctx, ...P });
    const tagStart = c.length - TAG_BYTES;

    it('rejects a flipped bit anywhere after the version byte', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: c.length - 1 }), fc.integer({ min: 0, max: 7 }), (i, bit) => {
          expect(() => decryptTx(flip(c, i, 1 << bit), KEY, ctx)).toThrow(DecryptionFailedError);
        }),
        { numRuns: 300 },
      );
    });

    it('rejects a flipped byte of the nonce, the ciphertext body and the tag', () => {
      expect(() => decryptTx(flip(c, 1), KEY, ctx)).toThrow(DecryptionFailedError);
      expect(() => decryptTx(flip(c, NONCE_BYTES), KEY, ctx)).toThrow(DecryptionFailedError);
      expect(() => decryptTx(flip(c, 1 + NONCE_BYTES + 5), KEY, ctx)).toThrow(DecryptionFailedError);
      expect(() => decryptTx(flip(c, tagStart), KEY, ctx)).toThrow(DecryptionFailedError);
      expect(() => decryptTx(flip(c, c.length - 1), KEY, ctx)).toThrow(DecryptionFailedError);
    });

    it('rejects a changed version byte, a truncated ciphertext and an appended byte', () => {
      expect(() => decryptTx(flip(c, 0), KEY, ctx)).toThrow(CiphertextSizeError);
      expect(() => decryptTx(c.subarray(0, c.length - 1), KEY, ctx)).toThrow(DecryptionFailedError);
      expect(() => decryptTx(Uint8Array.of(...c, 0), KEY, ctx)).toThrow(DecryptionFailedError);
      expect(() => decryptTx(c.subarray(0, 10), KEY, ctx)).toThrow(CiphertextSizeError);
    });

    it('rejects a wrong key, a flipped key bit and a key of the wrong length', () => {
      expect(() => decryptTx(c, generateKey(), ctx)).toThrow(DecryptionFailedError);
      for (let i = 0; i < 32; i += 7)
        expect(() => decryptTx(c, flip(KEY, i), ctx)).toThrow(DecryptionFailedError);
      expect(() => decryptTx(c, KEY.subarray(1), ctx)).toThrow(MalformedMessageError);
    });

    it('rejects another sender or slot (bound as associated data)', () => {
      expect(() => decryptTx(c, KEY, { sender: OTHER, slot: 7n })).toThrow(DecryptionFailedError);
      expect(() => decryptTx(c, KEY, { sender: SENDER, slot: 8n })).toThrow(DecryptionFailedError);
      expect(decryptTx(c, KEY, { sender: SENDER.toUpperCase().replace('0X', '0x'), slot: 7n })).toEqual(raw);
    });
  });

  it('reports bad padding inside an authentic ciphertext', () => {
    const padded = pad(Uint8Array.of(1, 2, 3), P);
    padded[padded.length - 1] = 9;
    const sealed = xchacha20poly1305(KEY, NONCE, associatedData(ctx)).encrypt(padded);
    expect(() => decryptTx(Uint8Array.of(1, ...NONCE, ...sealed), KEY, ctx)).toThrow(InvalidPaddingError);
  });
});
