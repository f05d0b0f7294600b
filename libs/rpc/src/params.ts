/** Checks for JSON-RPC params; each failure is an invalid-params error naming the field. */
import { invalidParams } from './jsonrpc';

export function arity(params: unknown[], min: number, max = min): void {
  if (params.length < min || params.length > max) {
    throw invalidParams(
      min === max
        ? `expected ${min} param${min === 1 ? '' : 's'}, got ${params.length}`
        : `expected ${min} to ${max} params, got ${params.length}`,
    );
  }
}

const HEX_DATA = /^0x([0-9a-fA-F]{2})*$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function hexData(v: unknown, name: string): string {
  if (typeof v !== 'string' || !HEX_DATA.test(v))
    throw invalidParams(`${name} must be 0x-prefixed hex bytes`);
  return v;
}

export function hash32(v: unknown, name: string): string {
  if (typeof v !== 'string' || !HASH.test(v)) throw invalidParams(`${name} must be a 32-byte 0x hex hash`);
  return v.toLowerCase();
}

export function address(v: unknown, name: string): string {
  if (typeof v !== 'string' || !ADDRESS.test(v))
    throw invalidParams(`${name} must be a 20-byte 0x hex address`);
  return v.toLowerCase();
}

/** A block tag or a 0x quantity. */
export function blockTag(v: unknown, name: string): string {
  if (v === undefined) return 'latest';
  if (
    typeof v === 'string' &&
    (/^(latest|pending|earliest|safe|finalized)$/.test(v) || /^0x[0-9a-fA-F]{1,16}$/.test(v))
  )
    return v;
  throw invalidParams(`${name} must be a block tag or a 0x quantity`);
}
