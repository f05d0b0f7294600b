/**
 * Batch codec, version 1: 1 version byte (0x01), then Brotli(RLP([block, ...])) with each block
 *
 *   [number, timestamp, feeRecipient, [rawTx, ...], blockHash, stateRoot,
 *    [paramsVersion, forceInclusionDelaySlots, orderRoot, bidsRoot]]
 *
 * (integers minimal big-endian; feeRecipient 20 bytes; hashes and roots 32 bytes; an order or
 * bids root of a slot without commitments or bids is the empty string). The first six fields are
 * what derivation executes and checks; the last list is the slot's ordering evidence.
 * Deterministic for a given level, so the poster can measure exactly what it will post.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { RLP } from '@ethereumjs/rlp';
import { decodeRlp, ZeroHash, getBytes, toBeArray, type RlpStructuredData } from 'ethers';
import { BatchDecodeError, InvalidBatchError } from './batch.error';

export const BATCH_VERSION = 0x01;
export const MIN_BROTLI_LEVEL = 0;
export const MAX_BROTLI_LEVEL = 11;
/** Decompressed size refused by default: far above any real batch, low enough to stop a Brotli bomb. */
export const DEFAULT_MAX_RAW_BYTES = 64 * 1024 * 1024;

/** What a block's slot published, carried so a replica can check the slot's rules from L1. */
export interface BlockEvidence {
  /** Version of the parameters in force at the slot. */
  paramsVersion: number;
  /** The slot's forceInclusionDelaySlots (bounded by the parameter's protocol maximum). */
  forceInclusionDelaySlots: number;
  /** Root of the commitment order signed at the close; ZeroHash for a slot without commitments. */
  orderRoot: string;
  /** Merkle root over every bid received; ZeroHash for a slot without bids. */
  bidsRoot: string;
}

/**
 * One L2 block as a batch carries it: what re-executing it needs (number, timestamp, fee
 * recipient, transactions) and what the result must be (block hash, state root).
 */
export interface BatchBlock {
  number: number;
  /** Block timestamp in seconds. */
  timestamp: number;
  /** The block's coinbase, lower-case 0x hex. */
  feeRecipient: string;
  /** Raw signed transactions (EIP-2718 bytes) in block order. */
  txs: Uint8Array[];
  /** The sealed block's hash and state root, lower-case 0x hex. */
  hash: string;
  stateRoot: string;
  evidence: BlockEvidence;
}

export interface EncodedBatch {
  /** The bytes posted to the Inbox: version byte and compressed payload. */
  data: Uint8Array;
  /** Size of the RLP payload before compression. */
  rawBytes: number;
  /** Size of `data`, version byte included. */
  compressedBytes: number;
}

const isHex = (v: unknown, bytes: number): v is string =>
  typeof v === 'string' && v.length === 2 + 2 * bytes && /^0x[0-9a-f]*$/.test(v);

/** A 32-byte root, or the empty string for the zero root. */
const root = (r: string): string => (r === ZeroHash ? '0x' : r);

function checkConsecutive(blocks: readonly BatchBlock[]): void {
  if (blocks.length === 0) throw new InvalidBatchError('empty', 'a batch needs at least one block');
  blocks.forEach((b, i) => {
    if (
      !Number.isSafeInteger(b.number) ||
      b.number < 0 ||
      !Number.isSafeInteger(b.timestamp) ||
      b.timestamp < 0
    ) {
      throw new InvalidBatchError(
        'shape',
        `block ${b.number}: number and timestamp must be non-negative integers`,
      );
    }
    if (!isHex(b.feeRecipient, 20) || !isHex(b.hash, 32) || !isHex(b.stateRoot, 32)) {
      throw new InvalidBatchError(
        'shape',
        `block ${b.number}: fee recipient, hash or state root is malformed`,
      );
    }
    const e = b.evidence;
    if (
      !Number.isSafeInteger(e.paramsVersion) ||
      e.paramsVersion < 0 ||
      !Number.isSafeInteger(e.forceInclusionDelaySlots) ||
      e.forceInclusionDelaySlots < 0 ||
      !isHex(e.orderRoot, 32) ||
      !isHex(e.bidsRoot, 32)
    ) {
      throw new InvalidBatchError('shape', `block ${b.number}: evidence is malformed`);
    }
    if (b.txs.some((tx) => tx.length === 0)) {
      throw new InvalidBatchError('shape', `block ${b.number}: a transaction is empty`);
    }
    if (b.number !== blocks[0].number + i) {
      throw new InvalidBatchError(
        'sequence',
        `block ${b.number} follows ${blocks[i - 1]?.number}: not consecutive`,
      );
    }
  });
}

/** RLP payload of a batch, before compression. */
export function encodeBatchRlp(blocks: readonly BatchBlock[]): Uint8Array {
  checkConsecutive(blocks);
  const items = blocks.map((b) => [
    toBeArray(b.number),
    toBeArray(b.timestamp),
    b.feeRecipient,
    b.txs,
    b.hash,
    b.stateRoot,
    [
      toBeArray(b.evidence.paramsVersion),
      toBeArray(b.evidence.forceInclusionDelaySlots),
      root(b.evidence.orderRoot),
      root(b.evidence.bidsRoot),
    ],
  ]);
  // @ethereumjs/rlp writes the same bytes as ethers' encodeRlp (0x-hex strings are bytes there
  // too) some 40 times quicker: ethers spreads every byte into an array of numbers, and the
  // poster encodes each trial prefix of its window.
  return RLP.encode(items);
}

export function compressPayload(raw: Uint8Array, level: number): Uint8Array {
  if (!Number.isInteger(level) || level < MIN_BROTLI_LEVEL || level > MAX_BROTLI_LEVEL) {
    throw new InvalidBatchError('level', `Brotli level ${level} is outside [0, 11]`);
  }
  const compressed = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: level,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const out = new Uint8Array(1 + compressed.length);
  out[0] = BATCH_VERSION;
  out.set(compressed, 1);
  return out;
}

/** Encodes consecutive blocks at a Brotli level (0..11). */
export function encodeBatch(blocks: readonly BatchBlock[], level: number): EncodedBatch {
  const raw = encodeBatchRlp(blocks);
  const data = compressPayload(raw, level);
  return { data, rawBytes: raw.length, compressedBytes: data.length };
}

/** Checks the version byte and decompresses; returns the RLP payload. */
export function inflateBatch(data: Uint8Array, maxRawBytes = DEFAULT_MAX_RAW_BYTES): Uint8Array {
  if (data.length === 0) throw new BatchDecodeError('empty', 'batch data is empty');
  if (data[0] !== BATCH_VERSION) {
    throw new BatchDecodeError('version', `unknown batch version 0x${data[0].toString(16).padStart(2, '0')}`);
  }
  try {
    const raw = brotliDecompressSync(data.subarray(1), { maxOutputLength: maxRawBytes });
    return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  } catch (e: unknown) {
    // Node's own code for output beyond maxOutputLength (instanceof RangeError fails across realms).
    if ((e as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BatchDecodeError('too-large', `batch decompresses to more than ${maxRawBytes} bytes`, {
        cause: e,
      });
    }
    throw new BatchDecodeError('compression', 'batch payload is not a valid Brotli stream', { cause: e });
  }
}

function decodeUint(hex: unknown, what: string): number {
  if (typeof hex !== 'string') throw new BatchDecodeError('shape', `${what} is a list, expected an integer`);
  if (hex === '0x') return 0;
  if (hex.startsWith('0x00')) throw new BatchDecodeError('shape', `${what} has leading zero bytes`);
  if (hex.length > 2 + 16) throw new BatchDecodeError('shape', `${what} is too large`);
  const n = Number(BigInt(hex));
  if (!Number.isSafeInteger(n)) throw new BatchDecodeError('shape', `${what} is too large`);
  return n;
}

function decodeFixed(hex: unknown, bytes: number, what: string): string {
  if (typeof hex !== 'string' || hex.length !== 2 + 2 * bytes)
    throw new BatchDecodeError('shape', `${what} is not ${bytes} bytes`);
  return hex.toLowerCase();
}

const decodeRoot = (hex: unknown, what: string): string =>
  hex === '0x' ? ZeroHash : decodeFixed(hex, 32, what);

/** Parses an RLP payload into blocks, checking the shape and that block numbers are consecutive. */
export function parseBatchRlp(raw: Uint8Array): BatchBlock[] {
  let decoded: RlpStructuredData;
  try {
    decoded = decodeRlp(raw);
  } catch (e: unknown) {
    throw new BatchDecodeError('rlp', 'batch payload is not valid RLP', { cause: e });
  }
  if (!Array.isArray(decoded)) throw new BatchDecodeError('shape', 'batch payload is not an RLP list');
  if (decoded.length === 0) throw new BatchDecodeError('empty', 'batch holds no blocks');
  const blocks = decoded.map((item, i): BatchBlock => {
    if (!Array.isArray(item) || item.length !== 7) {
      throw new BatchDecodeError(
        'shape',
        `block item ${i} is not a list [number, timestamp, feeRecipient, txs, hash, stateRoot, evidence]`,
      );
    }
    const [num, ts, coinbase, txs, hash, stateRoot, ev] = item;
    const number = decodeUint(num, `block item ${i} number`);
    const timestamp = decodeUint(ts, `block ${number} timestamp`);
    if (!Array.isArray(txs))
      throw new BatchDecodeError('shape', `block ${number}: transactions are not a list`);
    if (!Array.isArray(ev) || ev.length !== 4)
      throw new BatchDecodeError('shape', `block ${number}: evidence is not a list of 4`);
    return {
      number,
      timestamp,
      feeRecipient: decodeFixed(coinbase, 20, `block ${number} fee recipient`),
      txs: txs.map((tx, j) => {
        if (typeof tx !== 'string' || tx.length <= 2) {
          throw new BatchDecodeError(
            'shape',
            `block ${number} transaction ${j} is not a non-empty byte string`,
          );
        }
        return getBytes(tx);
      }),
      hash: decodeFixed(hash, 32, `block ${number} hash`),
      stateRoot: decodeFixed(stateRoot, 32, `block ${number} state root`),
      evidence: {
        paramsVersion: decodeUint(ev[0], `block ${number} params version`),
        forceInclusionDelaySlots: decodeUint(ev[1], `block ${number} force-inclusion delay`),
        orderRoot: decodeRoot(ev[2], `block ${number} order root`),
        bidsRoot: decodeRoot(ev[3], `block ${number} bids root`),
      },
    };
  });
  blocks.forEach((b, i) => {
    if (b.number !== blocks[0].number + i) {
      throw new BatchDecodeError(
        'sequence',
        `block ${b.number} follows block ${blocks[i - 1].number}: blocks are not consecutive`,
      );
    }
  });
  return blocks;
}

/** Decodes posted batch bytes back into blocks; throws BatchDecodeError with a `reason`. */
export function decodeBatch(data: Uint8Array, opts: { maxRawBytes?: number } = {}): BatchBlock[] {
  return parseBatchRlp(inflateBatch(data, opts.maxRawBytes));
}
