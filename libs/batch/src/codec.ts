/**
 * Batch codec: 1 version byte (0x00), then Brotli(RLP([[number, timestamp, [rawTx, ...]], ...])).
 * Deterministic for a given level, so the poster can measure exactly what it will post.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import {
  decodeRlp,
  encodeRlp,
  getBytes,
  toBeArray,
  type RlpStructuredData,
  type RlpStructuredDataish,
} from 'ethers';
import { BatchDecodeError, InvalidBatchError } from './batch.error';

export const BATCH_VERSION = 0x00;
export const MIN_BROTLI_LEVEL = 0;
export const MAX_BROTLI_LEVEL = 11;
/** Decompressed size refused by default: far above any real batch, low enough to stop a Brotli bomb. */
export const DEFAULT_MAX_RAW_BYTES = 64 * 1024 * 1024;

/** One L2 block as a batch carries it: enough to re-execute it, nothing the engine derives. */
export interface BatchBlock {
  number: number;
  /** Block timestamp in seconds. */
  timestamp: number;
  /** Raw signed transactions (EIP-2718 bytes) in block order. */
  txs: Uint8Array[];
}

export interface EncodedBatch {
  /** The bytes posted to the Inbox: version byte and compressed payload. */
  data: Uint8Array;
  /** Size of the RLP payload before compression. */
  rawBytes: number;
  /** Size of `data`, version byte included. */
  compressedBytes: number;
}

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
  const items: RlpStructuredDataish = blocks.map((b) => [toBeArray(b.number), toBeArray(b.timestamp), b.txs]);
  return getBytes(encodeRlp(items));
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
    if (!Array.isArray(item) || item.length !== 3) {
      throw new BatchDecodeError('shape', `block item ${i} is not a list [number, timestamp, txs]`);
    }
    const [num, ts, txs] = item;
    const number = decodeUint(num, `block item ${i} number`);
    const timestamp = decodeUint(ts, `block ${number} timestamp`);
    if (!Array.isArray(txs))
      throw new BatchDecodeError('shape', `block ${number}: transactions are not a list`);
    return {
      number,
      timestamp,
      txs: txs.map((tx, j) => {
        if (typeof tx !== 'string' || tx.length <= 2) {
          throw new BatchDecodeError(
            'shape',
            `block ${number} transaction ${j} is not a non-empty byte string`,
          );
        }
        return getBytes(tx);
      }),
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
