/**
 * Decoding of signed raw transactions (legacy, EIP-2930, EIP-1559) and sender recovery.
 * Hot path of the gateway: it walks the RLP by offsets (./rlp.ts) and hashes the unsigned
 * payload straight from the input bytes, instead of building ethers objects (which cost more
 * than the signature recovery itself). spec: differential tests against ethers. Pure: no I/O.
 */
import { concatBytes } from '@noble/hashes/utils';
import { InvalidTransactionError, TransactionTooLargeError, WrongChainError } from './errors';
import { fromHex, keccak256, toHex } from './hash';
import { recoverSigner, type RecoverableSignature, type RecoveryBackend } from './recover';
import { encodeUint, listHeader, readItem, readList, RlpError, type RlpItem } from './rlp';

/** Geth's txpool limit for one transaction. */
export const MAX_TX_BYTES = 128 * 1024;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N >> 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export interface DecodedTx {
  raw: Uint8Array;
  /** 0x-prefixed keccak256 of the raw bytes. */
  hash: string;
  /** Lowercase 0x address recovered from the signature. */
  from: string;
  to: string | null;
  nonce: number;
  type: number;
  chainId: bigint;
  gasLimit: bigint;
  /** maxFeePerGas for EIP-1559, gasPrice otherwise. */
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  value: bigint;
  dataLength: number;
}

export interface DecodeOptions {
  /** When set, a transaction for another chain (or a pre-EIP-155 one) is rejected. */
  chainId?: bigint;
  backend?: RecoveryBackend;
  /** A sender already recovered and stored by Sealane itself: skips the recovery. */
  knownSender?: string;
}

const bad = (msg: string, cause?: unknown) =>
  new InvalidTransactionError(msg, cause === undefined ? undefined : { cause });

/** A canonical unsigned integer (no leading zero byte), at most `maxBytes` long. */
function uint(buf: Uint8Array, it: RlpItem, name: string, maxBytes = 32): bigint {
  if (it.list) throw bad(`${name} must be an integer`);
  const len = it.end - it.payload;
  if (len > maxBytes) throw bad(`${name} is too large`);
  if (len > 0 && buf[it.payload] === 0) throw bad(`${name} has a leading zero`);
  if (len <= 6) {
    // Up to 48 bits fit a double exactly: one BigInt at the end instead of one per byte.
    let n = 0;
    for (let i = it.payload; i < it.end; i++) n = n * 256 + buf[i];
    return BigInt(n);
  }
  return BigInt('0x' + Buffer.from(buf.buffer, buf.byteOffset + it.payload, len).toString('hex'));
}

function bytesOf(buf: Uint8Array, it: RlpItem, name: string): Uint8Array {
  if (it.list) throw bad(`${name} must be bytes`);
  return buf.subarray(it.payload, it.end);
}

function toAddress(buf: Uint8Array, it: RlpItem): string | null {
  const b = bytesOf(buf, it, 'to');
  if (b.length === 0) return null;
  if (b.length !== 20) throw bad('to must be 20 bytes or empty');
  return toHex(b);
}

function checkAccessList(buf: Uint8Array, it: RlpItem): void {
  for (const entry of readList(buf, it)) {
    const parts = readList(buf, entry);
    if (parts.length !== 2 || bytesOf(buf, parts[0], 'access list address').length !== 20)
      throw bad('malformed access list');
    for (const key of readList(buf, parts[1])) {
      if (bytesOf(buf, key, 'storage key').length !== 32) throw bad('malformed access list storage key');
    }
  }
}

/** 32-byte big-endian form of a signature scalar. */
function scalar(v: bigint): Uint8Array {
  return fromHex('0x' + v.toString(16).padStart(64, '0'));
}

/** RLP list of the given items, copied as they are, plus extra encoded items. */
function relist(buf: Uint8Array, items: RlpItem[], extra: Uint8Array[] = []): Uint8Array {
  const start = items[0].start;
  const end = items[items.length - 1].end;
  const body = buf.subarray(start, end);
  const extraLen = extra.reduce((n, e) => n + e.length, 0);
  return concatBytes(listHeader(body.length + extraLen), body, ...extra);
}

interface Fields {
  type: number;
  chainId: bigint;
  nonce: bigint;
  maxPriorityFeePerGas: bigint;
  maxFeePerGas: bigint;
  gasLimit: bigint;
  to: string | null;
  value: bigint;
  dataLength: number;
  yParity: 0 | 1;
  r: bigint;
  s: bigint;
  /** The bytes whose keccak256 the sender signed. */
  signingPayload: Uint8Array;
}

function parseTyped(raw: Uint8Array, type: 1 | 2): Fields {
  const top = readItem(raw, 1);
  if (top.end !== raw.length) throw bad('trailing bytes after the transaction');
  const it = readList(raw, top);
  const n = type === 2 ? 12 : 11;
  if (it.length !== n) throw bad(`type ${type} transaction must have ${n} fields, has ${it.length}`);
  const fee = type === 2 ? 1 : 0; // EIP-1559 has one more fee field
  const tipFee = uint(raw, it[2], type === 2 ? 'maxPriorityFeePerGas' : 'gasPrice');
  const maxFee = type === 2 ? uint(raw, it[3], 'maxFeePerGas') : tipFee;
  if (tipFee > maxFee) throw bad('maxPriorityFeePerGas above maxFeePerGas');
  checkAccessList(raw, it[7 + fee]);
  const v = uint(raw, it[8 + fee], 'yParity', 1);
  if (v > 1n) throw bad('yParity must be 0 or 1');
  return {
    type,
    chainId: uint(raw, it[0], 'chainId'),
    nonce: uint(raw, it[1], 'nonce', 8),
    maxPriorityFeePerGas: tipFee,
    maxFeePerGas: maxFee,
    gasLimit: uint(raw, it[3 + fee], 'gasLimit', 8),
    to: toAddress(raw, it[4 + fee]),
    value: uint(raw, it[5 + fee], 'value'),
    dataLength: bytesOf(raw, it[6 + fee], 'data').length,
    yParity: Number(v) as 0 | 1,
    r: uint(raw, it[9 + fee], 'r'),
    s: uint(raw, it[10 + fee], 's'),
    signingPayload: concatBytes(Uint8Array.of(type), relist(raw, it.slice(0, n - 3))),
  };
}

function parseLegacy(raw: Uint8Array): Fields {
  const top = readItem(raw, 0);
  if (top.end !== raw.length) throw bad('trailing bytes after the transaction');
  const it = readList(raw, top);
  if (it.length !== 9) throw bad(`legacy transaction must have 9 fields, has ${it.length}`);
  const gasPrice = uint(raw, it[1], 'gasPrice');
  const v = uint(raw, it[6], 'v');
  let chainId = 0n;
  let yParity: 0 | 1;
  let signingPayload: Uint8Array;
  if (v === 27n || v === 28n) {
    yParity = Number(v - 27n) as 0 | 1;
    signingPayload = relist(raw, it.slice(0, 6));
  } else if (v >= 37n) {
    // EIP-155: v = chainId·2 + 35 + yParity; chain id 0 (v 35 or 36) is no chain (ethers and geth refuse it).
    chainId = (v - 35n) / 2n;
    yParity = Number((v - 35n) % 2n) as 0 | 1;
    signingPayload = relist(raw, it.slice(0, 6), [
      encodeUint(chainId),
      Uint8Array.of(0x80),
      Uint8Array.of(0x80),
    ]);
  } else {
    throw bad(`invalid v ${v}`);
  }
  return {
    type: 0,
    chainId,
    nonce: uint(raw, it[0], 'nonce', 8),
    maxPriorityFeePerGas: gasPrice,
    maxFeePerGas: gasPrice,
    gasLimit: uint(raw, it[2], 'gasLimit', 8),
    to: toAddress(raw, it[3]),
    value: uint(raw, it[4], 'value'),
    dataLength: bytesOf(raw, it[5], 'data').length,
    yParity,
    r: uint(raw, it[7], 'r'),
    s: uint(raw, it[8], 's'),
    signingPayload,
  };
}

function parse(raw: Uint8Array): Fields {
  const first = raw[0];
  try {
    if (first === 1 || first === 2) return parseTyped(raw, first);
    if (first >= 0xc0) return parseLegacy(raw);
  } catch (e) {
    if (e instanceof RlpError) throw bad(`transaction could not be decoded: ${e.message}`, e);
    throw e;
  }
  throw bad(
    first <= 0x7f ? `transaction type ${first} is not supported` : 'transaction could not be decoded',
  );
}

/** A decoded transaction whose sender is not recovered yet: its signature, ready to recover. */
export interface ParsedTx extends Omit<DecodedTx, 'from'> {
  signature: RecoverableSignature;
}

/**
 * Decodes and checks everything but the sender: the recovery is left to the caller, so that many
 * transactions' (and a request's own) signatures can be recovered together, off the event loop
 * (see RecoveryPool). `withSender` completes it.
 */
export function parseTransaction(raw: Uint8Array, opts: Pick<DecodeOptions, 'chainId'> = {}): ParsedTx {
  if (raw.length === 0) throw bad('empty transaction');
  if (raw.length > MAX_TX_BYTES) {
    throw new TransactionTooLargeError(`transaction is ${raw.length} bytes, the limit is ${MAX_TX_BYTES}`);
  }
  const f = parse(raw);
  if (f.r === 0n || f.r >= SECP256K1_N || f.s === 0n) throw bad('invalid signature');
  // EIP-2: a high s is a malleated copy of a valid signature; nodes refuse it.
  if (f.s > HALF_N) throw bad('invalid signature: s is not in the lower half of the curve order');
  if (f.nonce >= MAX_SAFE) throw bad('nonce too large');
  if (opts.chainId !== undefined && f.chainId !== opts.chainId) {
    throw new WrongChainError(
      f.chainId === 0n
        ? `transaction has no chain id (pre-EIP-155); this chain is ${opts.chainId}`
        : `transaction is for chain ${f.chainId}, this chain is ${opts.chainId}`,
    );
  }
  return {
    raw,
    hash: toHex(keccak256(raw)),
    to: f.to,
    nonce: Number(f.nonce),
    type: f.type,
    chainId: f.chainId,
    gasLimit: f.gasLimit,
    maxFeePerGas: f.maxFeePerGas,
    maxPriorityFeePerGas: f.maxPriorityFeePerGas,
    value: f.value,
    dataLength: f.dataLength,
    signature: { digest: keccak256(f.signingPayload), r: scalar(f.r), s: scalar(f.s), yParity: f.yParity },
  };
}

/** The parsed transaction with its recovered sender; a null sender is a signature that recovers to nothing. */
export function withSender(tx: ParsedTx, from: string | null): DecodedTx {
  if (from === null) throw bad('signature does not recover to a sender');
  const { signature: _signature, ...fields } = tx;
  return { ...fields, from };
}

export function decodeTransaction(raw: Uint8Array, opts: DecodeOptions = {}): DecodedTx {
  const tx = parseTransaction(raw, opts);
  if (opts.knownSender !== undefined) return withSender(tx, opts.knownSender);
  const sig = tx.signature;
  let from: string;
  try {
    from = recoverSigner(sig.digest, sig.r, sig.s, sig.yParity, opts.backend);
  } catch (e) {
    throw bad('signature does not recover to a sender', e);
  }
  return withSender(tx, from);
}

/** The most a transaction can cost its sender: gasLimit * maxFee + value. */
export function maxCost(tx: Pick<DecodedTx, 'gasLimit' | 'maxFeePerGas' | 'value'>): bigint {
  return tx.gasLimit * tx.maxFeePerGas + tx.value;
}
