import { randomBytes } from 'node:crypto';
import { Wallet, getBytes, hexlify, keccak256 as ethersKeccak, toUtf8Bytes } from 'ethers';
import { InlineRecovery, RecoveryPool, signerRecovery, type RecoverableSignature } from './recovery-pool';

const wallets = Array.from({ length: 8 }, () => new Wallet(hexlify(randomBytes(32))));

function signed(w: Wallet, i: number): RecoverableSignature {
  const digest = getBytes(ethersKeccak(toUtf8Bytes(`message ${i}`)));
  const sig = w.signingKey.sign(digest);
  return { digest, r: getBytes(sig.r), s: getBytes(sig.s), yParity: sig.yParity };
}

/** A signature that recovers to no point (checked below against the calling thread's recovery too). */
function unrecoverable(): RecoverableSignature {
  const r = new Uint8Array(32).fill(0xff);
  r[0] = 0x00;
  r[31] = 0x05;
  return { digest: randomBytes(32), r, s: Uint8Array.of(1), yParity: 0 };
}

describe('signer recovery', () => {
  let pool: RecoveryPool;
  beforeAll(() => {
    pool = new RecoveryPool(2);
  });
  afterAll(() => pool.close());

  it('a pool gives the same signers as recovery on the calling thread', async () => {
    const sigs = wallets.flatMap((w, k) => Array.from({ length: 5 }, (_, i) => signed(w, 10 * k + i)));
    const expected = wallets.flatMap((w) => Array(5).fill(w.address.toLowerCase()));
    expect(await new InlineRecovery().recover(sigs)).toEqual(expected);
    expect(await pool.recover(sigs)).toEqual(expected);
  });

  it('answers each of many concurrent requests with its own signers, in order', async () => {
    const requests = Array.from({ length: 200 }, (_, i) => {
      const who = [wallets[i % 8], wallets[(i * 3 + 1) % 8], wallets[(i * 5 + 2) % 8]];
      return { who, sigs: who.map((w, j) => signed(w, 1000 + 3 * i + j)) };
    });
    const answers = await Promise.all(requests.map((r) => pool.recover(r.sigs)));
    answers.forEach((a, i) => expect(a).toEqual(requests[i].who.map((w) => w.address.toLowerCase())));
  });

  it('gives null for a signature that recovers to nothing, and the rest still recover', async () => {
    const bad = unrecoverable();
    expect(await new InlineRecovery().recover([bad])).toEqual([null]);
    const mixed = [signed(wallets[0], 1), bad, signed(wallets[1], 2)];
    expect(await pool.recover(mixed)).toEqual([
      wallets[0].address.toLowerCase(),
      null,
      wallets[1].address.toLowerCase(),
    ]);
    expect(await pool.recover([{ ...signed(wallets[2], 3), digest: new Uint8Array(31) }])).toEqual([null]);
  });

  it('replaces a worker that dies, failing only what it held', async () => {
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    await slots[0].worker.terminate();
    await new Promise((r) => setImmediate(r));
    const sigs = Array.from({ length: 64 }, (_, i) => signed(wallets[i % 8], 5000 + i));
    expect(await pool.recover(sigs)).toEqual(sigs.map((_, i) => wallets[i % 8].address.toLowerCase()));
  });

  it('a closed pool refuses work, and 0 threads means the calling thread', async () => {
    const p = signerRecovery(1) as RecoveryPool;
    expect(p).toBeInstanceOf(RecoveryPool);
    const pending = expect(p.recover([signed(wallets[0], 7)])).rejects.toThrow(/closed/);
    await p.close();
    await pending;
    await expect(p.recover([signed(wallets[0], 7)])).rejects.toThrow(/closed/);
    expect(signerRecovery(0)).toBeInstanceOf(InlineRecovery);
    expect(() => new RecoveryPool(0)).toThrow(RangeError);
  });
});
