import { randomBytes } from 'node:crypto';
import { Wallet, getBytes, hexlify, keccak256 as ethersKeccak, toUtf8Bytes } from 'ethers';
import type { RecoverableSignature } from './recover';
import { InlineRecovery, RecoveryPool, signerRecovery } from './recovery-pool';

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

  it('never hands a malformed signature to the addon: a bad recovery id or length recovers to null', async () => {
    const good = signed(wallets[3], 42);
    const bad: RecoverableSignature[] = [
      { ...good, yParity: 27 as 0 },
      { ...good, yParity: 3 as 0 },
      { ...good, digest: new Uint8Array(33) },
      { ...good, r: new Uint8Array(33) },
    ];
    expect(await pool.recover([...bad, good])).toEqual([
      null,
      null,
      null,
      null,
      wallets[3].address.toLowerCase(),
    ]);
    expect(await new InlineRecovery().recover(bad)).toEqual([null, null, null, null]);
  });

  it('reads a scalar given without its leading zero bytes the same way on both paths', async () => {
    // Find a signature whose r starts with a zero byte, and pass r without it.
    let sig = signed(wallets[4], 0);
    for (let i = 1; sig.r[0] !== 0; i++) sig = signed(wallets[4], i);
    const short = { ...sig, r: sig.r.subarray(1) };
    const want = wallets[4].address.toLowerCase();
    expect(await pool.recover([short])).toEqual([want]);
    expect(await new InlineRecovery().recover([short])).toEqual([want]);
  });

  it('falls back to the calling thread, and says so, when workers cannot start', async () => {
    const reasons: string[] = [];
    const p = new RecoveryPool(1, { onDegraded: (r) => reasons.push(r) });
    try {
      const sigs = Array.from({ length: 40 }, (_, i) => signed(wallets[i % 8], 7000 + i));
      const want = sigs.map((_, i) => wallets[i % 8].address.toLowerCase());
      // Answered while the worker is still starting, then by the worker.
      expect(await p.recover(sigs)).toEqual(want);
      await new Promise((r) => setTimeout(r, 200));
      expect(await p.recover(sigs)).toEqual(want);
      // Every worker started from now on fails to load its addons.
      const internals = p as unknown as {
        paths: { gypBuild: string };
        slots: { worker: { terminate(): Promise<number> } }[];
      };
      internals.paths.gypBuild = '/nonexistent/node-gyp-build';
      await internals.slots[0].worker.terminate();
      for (let i = 0; i < 500 && !p.isDegraded; i++) await new Promise((r) => setTimeout(r, 20));
      expect(p.isDegraded).toBe(true);
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatch(/workers do not start/);
      expect(await p.recover(sigs)).toEqual(want);
    } finally {
      await p.close();
    }
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
