import {
  combineShares,
  decapsulate,
  devKeyperPrivateKey,
  devKeyperSet,
  encapsulate,
  eonKeys,
  eonOf,
  keyShare,
  makeDeal,
  openDealShare,
  readBoard,
  recoverSlotKey,
  revealOwnShare,
  secretShareOf,
  signDkgMessage,
  verifyKeyShare,
  verifySlotKey,
  type KeyperSetConfig,
  type SignedDkgMessage,
} from '.';
import { interpolateAtZero, lagrangeAtZero } from './shamir';
import { Fr } from './bls';

const bytes = (h: string) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));
const cfg: KeyperSetConfig = { chainId: 24225n, threshold: 3, keypers: devKeyperSet(5) };
const keyOf = (i: number) => devKeyperPrivateKey(i);

/** The whole DKG among keypers 1..5 on an in-memory board; `cheat` deals a wrong share to keyper 2. */
function runDkg(cheat?: number): { board: SignedDkgMessage[]; shares: bigint[] } {
  const board: SignedDkgMessage[] = [];
  for (let i = 1; i <= 5; i++) {
    const deal = makeDeal(cfg, i, keyOf(i));
    if (i === cheat) deal.shares[1] = makeDeal(cfg, i, keyOf(i)).shares[1];
    board.push(signDkgMessage(deal, keyOf(i)));
  }
  const view = readBoard(cfg, board);
  for (let j = 1; j <= 5; j++) {
    const against = [...view.deals.values()]
      .filter((d) => openDealShare(cfg, d, j, keyOf(j)) === null)
      .map((d) => d.from);
    board.push(signDkgMessage({ kind: 'complaint', eon: eonOf(cfg), from: j, against }, keyOf(j)));
  }
  const complained = readBoard(cfg, board).complaints;
  for (let i = 1; i <= 5; i++) {
    const to = [...complained].filter(([, a]) => a.includes(i)).map(([from]) => from);
    if (to.length === 0) continue;
    const deal = view.deals.get(i)!;
    const revealed = to.map((t) => ({ to: t, share: revealOwnShare(cfg, deal, t, keyOf(i)) }));
    board.push(signDkgMessage({ kind: 'answer', eon: eonOf(cfg), from: i, revealed }, keyOf(i)));
  }
  board.push(signDkgMessage({ kind: 'final', eon: eonOf(cfg), from: 1 }, keyOf(1)));
  return { board, shares: [1, 2, 3, 4, 5].map((j) => secretShareOf(cfg, board, j, keyOf(j))) };
}

describe('Shamir over Fr', () => {
  it('interpolates the secret from any t points and not from t - 1', () => {
    const f = [123n, 456n, 789n];
    const at = (x: bigint) => Fr.add(Fr.add(f[0], Fr.mul(f[1], x)), Fr.mul(f[2], Fr.mul(x, x)));
    expect(interpolateAtZero([1, 3, 5].map((i) => ({ index: i, value: at(BigInt(i)) })))).toBe(123n);
    expect(interpolateAtZero([2, 4].map((i) => ({ index: i, value: at(BigInt(i)) })))).not.toBe(123n);
    expect(() => lagrangeAtZero([1, 1])).toThrow('distinct');
  });
});

describe('DKG, slot keys and encryption to a slot (n = 5, t = 3)', () => {
  const { board, shares } = runDkg();
  const keys = eonKeys(cfg, board);
  const pk = bytes(keys.publicKey);
  const slot = 42n;

  it('qualifies every honest dealer and gives each keyper a share matching its public share', () => {
    expect(keys.qualified).toEqual([1, 2, 3, 4, 5]);
    for (let j = 1; j <= 5; j++) {
      const share = keyShare(shares[j - 1], cfg.chainId, slot);
      expect(verifyKeyShare(bytes(keys.publicShares[j - 1]), cfg.chainId, slot, share)).toBe(true);
      expect(verifyKeyShare(bytes(keys.publicShares[j % 5]), cfg.chainId, slot, share)).toBe(false);
    }
  });

  it('any 3 shares give the slot key; 2 do not; a forged share is found and set aside', () => {
    const s = (j: number) => ({ index: j, share: keyShare(shares[j - 1], cfg.chainId, slot) });
    const set = { publicKey: pk, publicShares: keys.publicShares.map(bytes), threshold: 3 };
    const a = recoverSlotKey(set, cfg.chainId, slot, [s(1), s(3), s(5)]);
    const b = recoverSlotKey(set, cfg.chainId, slot, [s(2), s(4), s(5)]);
    expect(a.ok && b.ok && Buffer.from(a.key).equals(Buffer.from(b.key))).toBe(true);
    expect(recoverSlotKey(set, cfg.chainId, slot, [s(1), s(2)])).toMatchObject({
      ok: false,
      valid: [1, 2],
      needed: 3,
    });
    expect(verifySlotKey(pk, cfg.chainId, slot, combineShares([s(1), s(2)]))).toBe(false);
    const forged = { index: 2, share: keyShare(shares[0], cfg.chainId, slot) };
    const c = recoverSlotKey(set, cfg.chainId, slot, [s(1), forged, s(4), s(5)]);
    expect(c).toMatchObject({ ok: true, used: [1, 4, 5], forged: [2] });
    // the key of another slot does not verify for this one
    const other = recoverSlotKey(set, cfg.chainId, slot + 1n, [s(1), s(3), s(5)]);
    expect(other.ok).toBe(false);
  });

  it('encapsulates to a slot: the slot key opens it, another slot key does not', () => {
    const { u, key } = encapsulate(pk, cfg.chainId, slot);
    const s = (j: number, sl = slot) => ({ index: j, share: keyShare(shares[j - 1], cfg.chainId, sl) });
    const slotKey = combineShares([s(1), s(2), s(3)]);
    expect(Buffer.from(decapsulate(u, slotKey, cfg.chainId, slot)).equals(Buffer.from(key))).toBe(true);
    const otherKey = combineShares(
      [s(1), s(2), s(3)].map((x) => ({ ...x, share: keyShare(shares[x.index - 1], cfg.chainId, slot + 1n) })),
    );
    expect(Buffer.from(decapsulate(u, otherKey, cfg.chainId, slot)).equals(Buffer.from(key))).toBe(false);
    // two shares combined are not the key: what they open is garbage
    expect(
      Buffer.from(decapsulate(u, combineShares([s(1), s(2)].map((x) => x)), cfg.chainId, slot)).equals(
        Buffer.from(key),
      ),
    ).toBe(false);
  });
});

describe('DKG complaints', () => {
  it('a dealer whose share fails is complained against, and its answer (the share it really sealed) disqualifies it', () => {
    const { board } = runDkg(4);
    const view = readBoard(cfg, board);
    expect(view.complaints.get(2)).toEqual([4]);
    expect(eonKeys(cfg, board).qualified).toEqual([1, 2, 3, 5]);
  });

  it('a false complaint, answered with the share that checks, leaves the dealer qualified', () => {
    const { board } = runDkg();
    const eon = eonOf(cfg);
    const deal = readBoard(cfg, board).deals.get(3)!;
    const withoutFinal = board.filter(
      (m) => m.message.kind !== 'final' && !(m.message.kind === 'complaint' && m.message.from === 1),
    );
    const lying = signDkgMessage({ kind: 'complaint', eon, from: 1, against: [3] }, keyOf(1));
    const answer = signDkgMessage(
      { kind: 'answer', eon, from: 3, revealed: [{ to: 1, share: revealOwnShare(cfg, deal, 1, keyOf(3)) }] },
      keyOf(3),
    );
    const final = signDkgMessage({ kind: 'final', eon, from: 2 }, keyOf(2));
    expect(eonKeys(cfg, [...withoutFinal, lying, answer, final]).qualified).toEqual([1, 2, 3, 4, 5]);
    // without the answer, the complaint stands and the dealer is out
    expect(eonKeys(cfg, [...withoutFinal, lying, final]).qualified).toEqual([1, 2, 4, 5]);
  });

  it('ignores messages not signed by the keyper they name, and everything after the first final', () => {
    const { board } = runDkg();
    const forged = signDkgMessage({ ...(board[0].message as object), from: 2 } as never, keyOf(1));
    expect(readBoard(cfg, [forged]).deals.size).toBe(0);
    const late = signDkgMessage(makeDeal(cfg, 1, keyOf(1)), keyOf(1));
    expect(eonKeys(cfg, [...board, late]).publicKey).toBe(eonKeys(cfg, board).publicKey);
    expect(() => eonKeys(cfg, board.slice(0, 5))).toThrow('not finished');
  });
});
