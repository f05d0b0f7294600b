/**
 * Decodes a bundle's signed transactions into what a simulation sends (call arguments) and
 * checks (sender, nonce, fees), keeping the latest ones by raw bytes: a winner is re-simulated
 * in its final order, and its transactions are not decoded twice.
 */
import { decodeTransaction, fromHex, keccak256, toHex, type DecodedTx } from '@sealane/protocol';
import { callArgs } from './call-args';
import { EmptyBundleError } from './simulator.error';
import type { RawTx } from './types';

/** A transaction ready to simulate, or why it could not be decoded (then `tx` is unset). */
export interface Prepared {
  hash: string;
  tx?: DecodedTx;
  /** The transaction as a call object for eth_simulateV1 / debug_traceCall. */
  call?: Record<string, unknown>;
  decodeError?: string;
}

export class TxDecoder {
  private readonly cache = new Map<string, Prepared>();

  constructor(
    private readonly chainId: bigint,
    private readonly cacheSize: number,
  ) {}

  bundle(raws: readonly RawTx[]): Prepared[] {
    if (raws.length === 0) throw new EmptyBundleError('a bundle needs at least one transaction');
    return raws.map((r) => this.prepare(r));
  }

  /** Decodes with Sealane's strict decoder (native sender recovery unless the sender is given). */
  prepare(input: RawTx): Prepared {
    const raw = typeof input === 'string' || input instanceof Uint8Array ? input : input.raw;
    const knownSender = raw === input ? undefined : (input as { from: string }).from.toLowerCase();
    const hex = typeof raw === 'string' ? raw.toLowerCase() : toHex(raw);
    const hit = this.cache.get(hex);
    if (hit) return hit;
    let p: Prepared;
    try {
      const bytes = typeof raw === 'string' ? fromHex(raw) : raw;
      const tx = decodeTransaction(bytes, { chainId: this.chainId, knownSender });
      p = { hash: tx.hash, tx, call: callArgs(tx, bytes) };
    } catch (e) {
      let hash = '0x' + '0'.repeat(64);
      try {
        hash = toHex(keccak256(fromHex(hex)));
      } catch {
        // Not even hex: the zero hash stands for it.
      }
      p = { hash, decodeError: e instanceof Error ? e.message : String(e) };
    }
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hex, p);
    return p;
  }
}
