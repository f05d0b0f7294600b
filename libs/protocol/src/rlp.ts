/**
 * A strict, allocation-light RLP reader: it returns byte offsets into the input instead of
 * copying, and rejects every non-canonical encoding (which nodes reject too).
 */
export class RlpError extends Error {
  override readonly name = 'RlpError';
}

export interface RlpItem {
  /** Offset of the item's first byte (its prefix). */
  start: number;
  /** Offset of the payload (after the prefix). */
  payload: number;
  /** Offset just past the item. */
  end: number;
  list: boolean;
}

function readLength(buf: Uint8Array, pos: number, lenOfLen: number, end: number): number {
  if (pos + lenOfLen > end) throw new RlpError('length runs past the end');
  if (buf[pos] === 0) throw new RlpError('length with a leading zero');
  let len = 0;
  for (let i = 0; i < lenOfLen; i++) len = len * 256 + buf[pos + i];
  if (len <= 55) throw new RlpError('long form used for a short length');
  return len;
}

/** Reads the item starting at `pos`, which must end by `end`. */
export function readItem(buf: Uint8Array, pos: number, end = buf.length): RlpItem {
  if (pos >= end) throw new RlpError('unexpected end of input');
  const b = buf[pos];
  let payload: number;
  let len: number;
  let list = false;
  if (b < 0x80) return { start: pos, payload: pos, end: pos + 1, list: false };
  if (b <= 0xb7) {
    len = b - 0x80;
    payload = pos + 1;
    if (len === 1 && payload < end && buf[payload] < 0x80)
      throw new RlpError('single byte below 0x80 must encode itself');
  } else if (b <= 0xbf) {
    len = readLength(buf, pos + 1, b - 0xb7, end);
    payload = pos + 1 + (b - 0xb7);
  } else if (b <= 0xf7) {
    len = b - 0xc0;
    payload = pos + 1;
    list = true;
  } else {
    len = readLength(buf, pos + 1, b - 0xf7, end);
    payload = pos + 1 + (b - 0xf7);
    list = true;
  }
  if (payload + len > end) throw new RlpError('item runs past the end');
  return { start: pos, payload, end: payload + len, list };
}

/** The items of the list `item`. */
export function readList(buf: Uint8Array, item: RlpItem): RlpItem[] {
  if (!item.list) throw new RlpError('expected a list');
  const out: RlpItem[] = [];
  for (let p = item.payload; p < item.end;) {
    const it = readItem(buf, p, item.end);
    out.push(it);
    p = it.end;
  }
  return out;
}

/** RLP header of a list whose payload is `len` bytes. */
export function listHeader(len: number): Uint8Array {
  if (len <= 55) return Uint8Array.of(0xc0 + len);
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return Uint8Array.from([0xf7 + bytes.length, ...bytes]);
}

/** RLP of an unsigned integer. */
export function encodeUint(v: bigint): Uint8Array {
  if (v === 0n) return Uint8Array.of(0x80);
  const bytes: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) bytes.unshift(Number(x & 0xffn));
  if (bytes.length === 1 && bytes[0] < 0x80) return Uint8Array.from(bytes);
  if (bytes.length > 55) throw new RlpError('integer too large');
  return Uint8Array.from([0x80 + bytes.length, ...bytes]);
}
