/**
 * The parsing and checking of a bundle's JSON-RPC params (eth_sendBundle, eth_callBundle,
 * eth_cancelBundle): each answers invalidParams, or the protocol's error, naming the field.
 */
import { BundleTooLargeError, SealaneError } from '@sealane/protocol';
import { hash32, hexData, invalidParams } from '@sealane/rpc';

/** Flashbots' limits for one bundle. */
export const MAX_BUNDLE_TXS = 100;
export const MAX_BUNDLE_BYTES = 300_000;
export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function object(v: unknown, name: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalidParams(`${name} must be an object`);
  return v as Record<string, unknown>;
}

export function quantity(v: unknown, name: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{1,13}$/.test(v)) return Number(v);
  throw invalidParams(`${name} must be a 0x quantity`);
}

/** BuilderNet's replacementNonce: a number, a decimal string or a 0x quantity, up to 2^53 - 1. */
export function replacementNonceOf(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'string' && /^(0x[0-9a-fA-F]{1,14}|[0-9]{1,16})$/.test(v)
        ? Number(v)
        : NaN;
  if (!Number.isSafeInteger(n) || n < 0)
    throw invalidParams('replacementNonce must be a non-negative integer below 2^53');
  return n;
}

export function optionalNumber(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  return quantity(v, name);
}

/** A bundle's signed transactions as lowercase hex, within Flashbots' limits. */
export function bundleTxs(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0)
    throw invalidParams('txs must be a non-empty array of signed transactions');
  if (v.length > MAX_BUNDLE_TXS)
    throw new BundleTooLargeError(`a bundle holds at most ${MAX_BUNDLE_TXS} transactions`);
  const raws = v.map((t, i) => hexData(t, `txs[${i}]`).toLowerCase());
  const bytes = raws.reduce((n, r) => n + (r.length - 2) / 2, 0);
  if (bytes > MAX_BUNDLE_BYTES)
    throw new BundleTooLargeError(`a bundle holds at most ${MAX_BUNDLE_BYTES} bytes, this one ${bytes}`);
  return raws;
}

/** Runs `fn` for the bundle's transaction `i`; an error it throws keeps its kind and code and says which. */
export function atTx<T>(i: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SealaneError)) throw e;
    const Kind = e.constructor as new (
      message: string,
      o: { cause: unknown; data?: unknown },
    ) => SealaneError;
    throw new Kind(`txs[${i}]: ${e.message}`, { cause: e, data: e.data });
  }
}

export function hashList(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParams(`${name} must be an array of transaction hashes`);
  return v.map((h, i) => hash32(h, `${name}[${i}]`));
}
