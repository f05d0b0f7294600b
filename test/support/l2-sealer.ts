/**
 * Seals real L2 blocks on an anvil engine and records them in Redis exactly as the builder
 * does (SealedBlock JSON at keys.block(n), then keys.sealedHead()), for tests of the
 * components downstream of the builder (the poster, verify).
 */
import { hexlify, keccak256, Wallet, ZeroHash } from 'ethers';
import type Redis from 'ioredis';
import { DEV_KEYS } from '@sealane/config';
import { L2Engine } from '@sealane/engine';
import { PARAM_DEFS } from '@sealane/params';
import type { Keys, SealedBlock } from '@sealane/store';

export const L2_CHAIN_ID = 24225n;

export interface SealOptions {
  /** Transfers in the block (default 2), from dev accounts 1..8 in turn. */
  txs?: number;
  /** Bytes of calldata per transfer, deterministic but incompressible (default 0). */
  payloadBytes?: number;
  /** Don't record in Redis (a block only the engine knows). */
  skipRecord?: boolean;
}

/** Pseudo-random bytes from a seed: the same on every run, and Brotli cannot shrink them. */
function payload(seed: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let h = keccak256(Buffer.from(seed));
  for (let i = 0; i < n; i += 32) {
    out.set(Buffer.from(h.slice(2), 'hex').subarray(0, Math.min(32, n - i)), i);
    h = keccak256(h);
  }
  return out;
}

export class L2Sealer {
  readonly engine: L2Engine;
  private readonly senders = DEV_KEYS.slice(1, 9).map((k) => new Wallet(k));
  private readonly nonces = new Map<string, number>();
  private head = 0;
  private lastTimestamp = 0;
  private turn = 0;
  readonly sealed: SealedBlock[] = [];

  constructor(
    l2RpcUrl: string,
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly slotMs = 2000,
    /** Salt for the payloads and recipients, so two sealers on two engines make different blocks. */
    private readonly salt = 'a',
  ) {
    this.engine = new L2Engine(l2RpcUrl);
  }

  async init(): Promise<this> {
    const latest = await this.engine.getBlock('latest');
    if (!latest) throw new Error('L2 engine has no latest block');
    this.head = Number(latest.number);
    this.lastTimestamp = Number(latest.timestamp);
    for (const w of this.senders) {
      this.nonces.set(
        w.address,
        Number(await this.engine.call<string>('eth_getTransactionCount', [w.address, 'latest'])),
      );
    }
    return this;
  }

  /** Seals the next block with `txs` signed transfers; returns what was recorded. */
  async seal(opts: SealOptions = {}): Promise<SealedBlock> {
    const number = this.head + 1;
    const raws: string[] = [];
    for (let i = 0; i < (opts.txs ?? 2); i++) {
      const w = this.senders[this.turn++ % this.senders.length];
      const nonce = this.nonces.get(w.address)!;
      const data = payload(`${this.salt}:${number}:${i}`, opts.payloadBytes ?? 0);
      raws.push(
        await w.signTransaction({
          type: 2,
          chainId: L2_CHAIN_ID,
          nonce,
          to: new Wallet(keccak256(Buffer.from(`${this.salt}:to:${i}`))).address,
          value: BigInt(number * 1000 + i),
          data: hexlify(data),
          // 40 gas per byte covers the EIP-7623 calldata floor (Prague) for any payload.
          gasLimit: 21_000n + 40n * BigInt(data.length),
          maxFeePerGas: 100n * 10n ** 9n,
          maxPriorityFeePerGas: 10n ** 9n,
        }),
      );
      this.nonces.set(w.address, nonce + 1);
    }
    const res = await this.engine.batch(raws.map((r) => ['eth_sendRawTransaction', [r]]));
    res.forEach((r) => {
      if (!r.ok) throw r.error;
    });
    // Slot start of block n, as the builder computes it: strictly after the parent's timestamp.
    const timestamp = this.lastTimestamp + Math.ceil(this.slotMs / 1000);
    await this.engine.mine(timestamp);
    const block = await this.engine.getBlock(number);
    if (!block) throw new Error(`block ${number} missing right after sealing`);
    const hashes = block.transactions.map((h) => h.toLowerCase());
    const rawByHash = new Map(raws.map((r) => [keccak256(r), r]));
    if (hashes.length !== raws.length || hashes.some((h) => !rawByHash.has(h))) {
      throw new Error(`block ${number} does not hold exactly the ${raws.length} transactions sent`);
    }
    const sealed: SealedBlock & { builder: string } = {
      number,
      hash: block.hash,
      parentHash: block.parentHash,
      timestamp: Number(block.timestamp),
      startMs: timestamp * 1000,
      txs: hashes.map((h) => rawByHash.get(h)!),
      txHashes: hashes,
      paramsVersion: 0,
      builder: 'test-sealer',
      stateRoot: block.stateRoot.toLowerCase(),
      feeRecipient: block.miner.toLowerCase(),
      orderRoot: ZeroHash,
      bidsRoot: ZeroHash,
      forceInclusionDelaySlots: PARAM_DEFS.forceInclusionDelaySlots.default,
    };
    this.head = number;
    this.lastTimestamp = timestamp;
    if (!opts.skipRecord) {
      await this.redis
        .multi()
        .set(this.keys.block(number), JSON.stringify(sealed))
        .set(this.keys.sealedHead(), String(number))
        .exec();
    }
    this.sealed.push(sealed);
    return sealed;
  }

  async sealMany(n: number, opts: SealOptions = {}): Promise<SealedBlock[]> {
    const out: SealedBlock[] = [];
    for (let i = 0; i < n; i++) out.push(await this.seal(opts));
    return out;
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}
