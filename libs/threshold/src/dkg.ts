/**
 * The keypers' key generation: joint-Feldman (Pedersen's DKG) with complaints, over an ordered,
 * untrusted bulletin board. No keyper ever holds the set's secret s = Σ f_i(0).
 *
 *   deal       keyper i picks f_i of degree t-1, posts A_ik = a_ik·g1 (k < t) and, for each j,
 *              f_i(j) sealed to j (ECDH on the keypers' secp256k1 identity keys, XChaCha20-Poly1305)
 *   complaint  keyper j checks f_i(j)·g1 = Σ_k A_ik·j^k for every deal and posts the dealers whose
 *              share fails (an empty list says "ready")
 *   answer     a dealer complained against reveals that share in the clear; anyone checks it
 *   final      posted by a keyper once all is in (or its phase timeout passed); the result is a
 *              function of the board before the first final only, so every reader agrees
 *
 *   qualified    dealers with a deal whose every complaint was answered with a share that checks
 *   publicKey    Σ_{i∈Q} A_i0                      (s·g1)
 *   publicShare_j Σ_{i∈Q} Σ_k A_ik·j^k             (s_j·g1)
 *   share_j      Σ_{i∈Q} f_i(j)                    (known to keyper j only)
 *
 * Every message is signed by its keyper's identity key, so the board (Redis here) can drop or
 * delay messages but not forge them.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha';
import { randomBytes } from '@noble/ciphers/webcrypto';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToBigint, CURVE_ORDER, Fr, G1, scalarBytes } from './bls';
import { evaluate, randomPolynomial } from './shamir';

export interface KeyperSetConfig {
  chainId: bigint;
  threshold: number;
  /** Each keyper's identity public key (secp256k1, 33 bytes compressed, 0x hex); keyper i is [i-1]. */
  keypers: readonly string[];
}

export type DkgMessage =
  | { kind: 'deal'; eon: string; from: number; commitments: string[]; shares: string[] }
  | { kind: 'complaint'; eon: string; from: number; against: number[] }
  | { kind: 'answer'; eon: string; from: number; revealed: { to: number; share: string }[] }
  | { kind: 'final'; eon: string; from: number };

export type DealMessage = Extract<DkgMessage, { kind: 'deal' }>;

export interface SignedDkgMessage {
  message: DkgMessage;
  /** secp256k1 compact signature (0x + 128 hex) over sha256(JSON of message). */
  signature: string;
}

export interface EonKeys {
  eon: string;
  threshold: number;
  qualified: number[];
  /** s·g1, 48 bytes compressed, 0x hex. */
  publicKey: string;
  /** s_j·g1 for j = 1..n. */
  publicShares: string[];
}

const hex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function checkKeyperSet(cfg: KeyperSetConfig): void {
  const n = cfg.keypers.length;
  if (n < 1) throw new RangeError('a keyper set needs at least one keyper');
  if (!Number.isInteger(cfg.threshold) || cfg.threshold < 1 || cfg.threshold > n)
    throw new RangeError(`threshold ${cfg.threshold} must be in [1, ${n}]`);
  if (new Set(cfg.keypers.map((k) => k.toLowerCase())).size !== n)
    throw new RangeError('keyper keys must be distinct');
  for (const k of cfg.keypers) secp256k1.ProjectivePoint.fromHex(k.replace(/^0x/, ''));
}

/** The eon: one key generation of one keyper set, named by what it is for. */
export function eonOf(cfg: KeyperSetConfig): string {
  checkKeyperSet(cfg);
  const desc = JSON.stringify({
    v: 'sealane/dkg/v1',
    chainId: cfg.chainId.toString(),
    threshold: cfg.threshold,
    keypers: cfg.keypers.map((k) => k.toLowerCase()),
  });
  return hex(sha256(utf8(desc)));
}

/** A keyper's identity public key (compressed) from its private key. */
export function identityKeyOf(privateKey: string): string {
  return hex(secp256k1.getPublicKey(bytes(privateKey), true));
}

function digest(m: DkgMessage): Uint8Array {
  return sha256(utf8(JSON.stringify(m)));
}

export function signDkgMessage(m: DkgMessage, privateKey: string): SignedDkgMessage {
  return { message: m, signature: hex(secp256k1.sign(digest(m), bytes(privateKey)).toCompactRawBytes()) };
}

/** Signed by the keyper it names, for this eon. Never throws. */
export function verifyDkgMessage(s: SignedDkgMessage, cfg: KeyperSetConfig, eon: string): boolean {
  try {
    const m = s.message;
    if (m.eon !== eon || !Number.isInteger(m.from) || m.from < 1 || m.from > cfg.keypers.length) return false;
    return secp256k1.verify(bytes(s.signature), digest(m), bytes(cfg.keypers[m.from - 1]));
  } catch {
    return false;
  }
}

function pairKey(
  cfg: KeyperSetConfig,
  eon: string,
  myPrivate: string,
  other: number,
  dealer: number,
  to: number,
): Uint8Array {
  const shared = secp256k1.getSharedSecret(bytes(myPrivate), bytes(cfg.keypers[other - 1]), true);
  return sha256(
    new Uint8Array([...utf8('sealane/dkg/share/v1'), ...shared.subarray(1), ...bytes(eon), dealer, to]),
  );
}

/** Keyper `from`'s deal: commitments to a fresh polynomial and each keyper's sealed share. */
export function makeDeal(cfg: KeyperSetConfig, from: number, privateKey: string): DealMessage {
  const eon = eonOf(cfg);
  const f = randomPolynomial(cfg.threshold);
  const shares = cfg.keypers.map((_, k) => {
    const to = k + 1;
    const nonce = randomBytes(24);
    const sealed = xchacha20poly1305(pairKey(cfg, eon, privateKey, to, from, to), nonce).encrypt(
      scalarBytes(evaluate(f, BigInt(to))),
    );
    return hex(new Uint8Array([...nonce, ...sealed]));
  });
  return {
    kind: 'deal',
    eon,
    from,
    commitments: f.map((a) => hex(G1.BASE.multiply(a).toRawBytes(true))),
    shares,
  };
}

/** Σ_k A_k · x^k: the commitment to f(x). */
function commitmentAt(commitments: readonly string[], x: number) {
  const points = commitments.map((c) => G1.fromHex(c.replace(/^0x/, '')));
  const powers = points.map((_, k) => Fr.pow(BigInt(x), BigInt(k)));
  return G1.msm(points, powers);
}

function shareChecks(deal: DealMessage, to: number, value: bigint): boolean {
  try {
    if (value <= 0n || value >= CURVE_ORDER) return false;
    return G1.BASE.multiply(value).equals(commitmentAt(deal.commitments, to));
  } catch {
    return false;
  }
}

function wellFormedDeal(cfg: KeyperSetConfig, d: DealMessage): boolean {
  return (
    Array.isArray(d.commitments) &&
    d.commitments.length === cfg.threshold &&
    Array.isArray(d.shares) &&
    d.shares.length === cfg.keypers.length
  );
}

/** Keyper `me`'s share in `deal` (decrypted with its key), or null if it does not check. */
export function openDealShare(
  cfg: KeyperSetConfig,
  deal: DealMessage,
  me: number,
  privateKey: string,
): bigint | null {
  try {
    if (!wellFormedDeal(cfg, deal)) return null;
    const box = bytes(deal.shares[me - 1]);
    const plain = xchacha20poly1305(
      pairKey(cfg, deal.eon, privateKey, deal.from, deal.from, me),
      box.subarray(0, 24),
    ).decrypt(box.subarray(24));
    const value = bytesToBigint(plain);
    return shareChecks(deal, me, value) ? value : null;
  } catch {
    return null;
  }
}

/** Dealer `me` reveals what it sealed to `to` (it can: the ECDH key is symmetric). */
export function revealOwnShare(
  cfg: KeyperSetConfig,
  deal: DealMessage,
  to: number,
  privateKey: string,
): string {
  const box = bytes(deal.shares[to - 1]);
  return hex(
    xchacha20poly1305(pairKey(cfg, deal.eon, privateKey, to, deal.from, to), box.subarray(0, 24)).decrypt(
      box.subarray(24),
    ),
  );
}

/** The messages that count: verified, the first of each kind per keyper, before the first final. */
export interface BoardView {
  deals: Map<number, DealMessage>;
  complaints: Map<number, number[]>;
  answers: Map<number, Map<number, string>>;
  final: boolean;
}

export function readBoard(cfg: KeyperSetConfig, board: readonly SignedDkgMessage[]): BoardView {
  const eon = eonOf(cfg);
  const view: BoardView = { deals: new Map(), complaints: new Map(), answers: new Map(), final: false };
  for (const s of board) {
    if (!verifyDkgMessage(s, cfg, eon)) continue;
    const m = s.message;
    if (m.kind === 'final') {
      view.final = true;
      break;
    }
    if (m.kind === 'deal' && !view.deals.has(m.from) && wellFormedDeal(cfg, m)) view.deals.set(m.from, m);
    if (m.kind === 'complaint' && !view.complaints.has(m.from) && Array.isArray(m.against))
      view.complaints.set(
        m.from,
        m.against.filter((i) => Number.isInteger(i)),
      );
    if (m.kind === 'answer' && !view.answers.has(m.from) && Array.isArray(m.revealed))
      view.answers.set(m.from, new Map(m.revealed.map((r) => [r.to, r.share])));
  }
  return view;
}

/** The complaints against `dealer` that its answer does not settle with a share that checks. */
function unsettled(view: BoardView, dealer: number): number[] {
  const deal = view.deals.get(dealer)!;
  const answer = view.answers.get(dealer);
  const out: number[] = [];
  for (const [from, against] of view.complaints) {
    if (!against.includes(dealer)) continue;
    const revealed = answer?.get(from);
    if (!revealed || !shareChecks(deal, from, bytesToBigint(bytes(revealed)))) out.push(from);
  }
  return out;
}

export function qualifiedDealers(view: BoardView): number[] {
  return [...view.deals.keys()].filter((d) => unsettled(view, d).length === 0).sort((a, b) => a - b);
}

/** The eon's public keys from a board with a final; throws if fewer than t dealers qualify. */
export function eonKeys(cfg: KeyperSetConfig, board: readonly SignedDkgMessage[]): EonKeys {
  const view = readBoard(cfg, board);
  if (!view.final) throw new Error('the key generation has not finished: no final message on the board');
  const qualified = qualifiedDealers(view);
  if (qualified.length < cfg.threshold)
    throw new Error(`only ${qualified.length} dealers qualified, the threshold is ${cfg.threshold}`);
  const deals = qualified.map((d) => view.deals.get(d)!);
  const publicKey = deals.reduce(
    (acc, d) => acc.add(G1.fromHex(d.commitments[0].replace(/^0x/, ''))),
    G1.ZERO,
  );
  const publicShares = cfg.keypers.map((_, k) =>
    hex(deals.reduce((acc, d) => acc.add(commitmentAt(d.commitments, k + 1)), G1.ZERO).toRawBytes(true)),
  );
  return {
    eon: eonOf(cfg),
    threshold: cfg.threshold,
    qualified,
    publicKey: hex(publicKey.toRawBytes(true)),
    publicShares,
  };
}

/** Keyper `me`'s secret share: Σ over the qualified dealers of what they dealt to it. */
export function secretShareOf(
  cfg: KeyperSetConfig,
  board: readonly SignedDkgMessage[],
  me: number,
  privateKey: string,
): bigint {
  const view = readBoard(cfg, board);
  let acc = 0n;
  for (const d of qualifiedDealers(view)) {
    const deal = view.deals.get(d)!;
    const revealed = view.answers.get(d)?.get(me);
    const v =
      revealed !== undefined ? bytesToBigint(bytes(revealed)) : openDealShare(cfg, deal, me, privateKey);
    if (v === null || !shareChecks(deal, me, v))
      throw new Error(
        `keyper ${me} has no valid share from qualified dealer ${d}: it should have complained`,
      );
    acc = Fr.add(acc, v);
  }
  return acc;
}
