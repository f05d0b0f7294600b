/**
 * The soak's load: public transfers from many funded senders, bundles from a few searchers and
 * private transactions through the SDK. Every client tolerates the gateway being down (it
 * retries) and records what the gateway acknowledged; a request left without an answer is
 * retried with the very same bytes, so an item is never acknowledged twice under two hashes.
 */
import { getBytes, hexlify, Signature, Transaction, Wallet } from 'ethers';
import { ecdsaSign } from 'secp256k1';
import { flashbotsSignature, keccak256, toHex } from '@sealane/protocol';
import { SealaneClient, SealaneRpcError } from '@sealane/sdk';
import type { SignedReceiptJson } from '@sealane/mempool';

export const L2_CHAIN_ID = 24225;
const GWEI = 10n ** 9n;

export interface Counters {
  /** Outcome of every request, by kind: 'ack', 'gateway down', 'no answer', or an error code. */
  counts: Map<string, number>;
}

export function bump(c: Map<string, number>, k: string, n = 1): void {
  c.set(k, (c.get(k) ?? 0) + n);
}

export interface AckedTx {
  hash: string;
  raw: string;
  from: string;
  nonce: number;
  /** Seconds since the soak started, and the L2 head then. */
  at: number;
}

export interface AckedBundle {
  bundleHash: string;
  searcher: Wallet;
  target: number;
  txHashes: string[];
  at: number;
}

export interface AckedCommit {
  commitment: string;
  slot: number;
  position: number;
  txHash: string;
  feeTxHash: string;
  receipt: SignedReceiptJson;
  revealed: boolean;
  revealError?: string;
  at: number;
}

type Answer<T> =
  | { kind: 'result'; result: T }
  | { kind: 'error'; code: number; message: string }
  | { kind: 'down' }
  | { kind: 'lost' };

/** One JSON-RPC request; tells "refused to connect" (certainly not applied) from "no answer". */
async function post<T>(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer<T>> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const r = (await res.json()) as { result?: T; error?: { code: number; message: string } };
    if (r.error) return { kind: 'error', code: r.error.code, message: r.error.message };
    return { kind: 'result', result: r.result as T };
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    return code === 'ECONNREFUSED' ? { kind: 'down' } : { kind: 'lost' };
  }
}

const body = (method: string, params: unknown[]) => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signs a transfer with native libsecp256k1 (RFC 6979: the same nonce always gives the same bytes). */
export function signTransfer(
  key: Uint8Array,
  nonce: number,
  to: string,
  value: bigint,
  tip = GWEI,
): { raw: string; hash: string } {
  const tx = Transaction.from({
    type: 2,
    chainId: L2_CHAIN_ID,
    nonce,
    to,
    value,
    gasLimit: 21_000n,
    maxFeePerGas: 100n * GWEI,
    maxPriorityFeePerGas: tip,
  });
  const { signature, recid } = ecdsaSign(getBytes(tx.unsignedHash), key);
  tx.signature = Signature.from({
    r: hexlify(signature.slice(0, 32)),
    s: hexlify(signature.slice(32, 64)),
    yParity: recid as 0 | 1,
  });
  const raw = tx.serialized;
  return { raw, hash: toHex(keccak256(getBytes(raw))) };
}

export interface LoadContext {
  gateway: string;
  /** Seconds since the soak started. */
  clock: () => number;
  /** The L2 engine's head, read directly (not through the gateway). */
  head: () => Promise<number>;
  slotMs: number;
  stopping: () => boolean;
  feeRecipient: string;
}

interface Sender {
  key: Uint8Array;
  address: string;
  nonce: number;
}

/** Public transfers at `rate` per second, round-robin over senders, one in flight per sender. */
export class PublicLoad {
  readonly acked: AckedTx[] = [];
  /** Sent without an answer, then refused as "nonce too low": maybe accepted, checked by receipt. */
  readonly maybe: AckedTx[] = [];
  readonly counts = new Map<string, number>();
  /** What rebroadcasts of acknowledged transactions were answered, as wallets resend them. */
  readonly rebroadcasts = new Map<string, number>();
  /** Hash -> when it was rebroadcast and how the gateway answered, for the evidence. */
  readonly rebroadcastOf = new Map<string, string>();
  /** The first message seen per error code. */
  readonly messages = new Map<string, string>();
  private readonly busy = new Set<number>();
  private turn = 0;

  constructor(
    private readonly ctx: LoadContext,
    private readonly senders: { key: Uint8Array; address: string }[],
    private readonly rate: number,
  ) {}

  async run(): Promise<void> {
    const state: Sender[] = this.senders.map((s) => ({ ...s, nonce: 0 }));
    const inflight: Promise<void>[] = [];
    const gap = 1000 / this.rate;
    let next = performance.now();
    while (!this.ctx.stopping()) {
      next += gap;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      else if (wait < -1000) next = performance.now(); // fell behind (gateway down): do not burst
      for (let k = 0; k < state.length; k++) {
        const i = this.turn++ % state.length;
        if (this.busy.has(i)) continue;
        this.busy.add(i);
        const p = this.sendOne(state[i]).finally(() => this.busy.delete(i));
        inflight.push(p);
        break;
      }
      // One send in 20 is a rebroadcast of a transaction acknowledged a few slots ago, as a wallet
      // resends one it has not seen mined: it must be refused or be a no-op, never change its fate.
      if (this.turn % 20 === 0) inflight.push(this.rebroadcast());
      if (inflight.length > 256) inflight.splice(0, inflight.length - 256);
    }
    await Promise.all(inflight);
  }

  private async rebroadcast(): Promise<void> {
    const old = this.acked.filter((t) => t.at < this.ctx.clock() - (3 * this.ctx.slotMs) / 1000);
    if (old.length === 0) return;
    const t = old[Math.floor(Math.random() * old.length)];
    const a = await post<string>(this.ctx.gateway, body('eth_sendRawTransaction', [t.raw]));
    const k = a.kind === 'error' ? `refused ${a.code}` : a.kind === 'result' ? 'accepted' : a.kind;
    bump(this.rebroadcasts, k);
    this.rebroadcastOf.set(t.hash, `rebroadcast at ${this.ctx.clock().toFixed(1)} s: ${k}`);
    if (a.kind === 'error' && !this.messages.has(k)) this.messages.set(k, a.message);
  }

  private async sendOne(s: Sender): Promise<void> {
    const value = 1_000_000n + BigInt(s.nonce);
    const { raw, hash } = signTransfer(s.key, s.nonce, '0x000000000000000000000000000000000000bEEF', value);
    let unanswered = false;
    const item = (): AckedTx => ({ hash, raw, from: s.address, nonce: s.nonce, at: this.ctx.clock() });
    for (;;) {
      const a = await post<string>(this.ctx.gateway, body('eth_sendRawTransaction', [raw]));
      if (a.kind === 'result' || (a.kind === 'error' && a.code === -32016 && unanswered)) {
        bump(this.counts, a.kind === 'result' ? 'ack' : 'ack (already known after no answer)');
        if (a.kind === 'result' && a.result.toLowerCase() !== hash)
          bump(this.counts, 'answered another hash');
        this.acked.push(item());
        s.nonce++;
        return;
      }
      if (a.kind === 'down' || a.kind === 'lost') {
        bump(this.counts, a.kind === 'down' ? 'gateway down' : 'no answer');
        unanswered ||= a.kind === 'lost';
        if (this.ctx.stopping()) {
          if (unanswered) this.maybe.push(item());
          return;
        }
        await sleep(500);
        continue;
      }
      bump(this.counts, `refused ${a.code}`);
      if (!this.messages.has(`refused ${a.code}`)) this.messages.set(`refused ${a.code}`, a.message);
      if (unanswered) this.maybe.push(item());
      await this.resync(s);
      return;
    }
  }

  /** After a refusal, the sender's next nonce as the gateway counts it (engine plus waiting). */
  private async resync(s: Sender): Promise<void> {
    while (!this.ctx.stopping()) {
      const a = await post<string>(this.ctx.gateway, body('eth_getTransactionCount', [s.address, 'pending']));
      if (a.kind === 'result') {
        s.nonce = Number(a.result);
        return;
      }
      await sleep(500);
    }
  }
}

/** Searchers: each sends one bundle at a time for head + 2, paying the fee recipient. */
export class BundleLoad {
  readonly acked: AckedBundle[] = [];
  readonly counts = new Map<string, number>();
  readonly messages = new Map<string, string>();

  constructor(
    private readonly ctx: LoadContext,
    private readonly searchers: Wallet[],
  ) {}

  async run(): Promise<void> {
    await Promise.all(this.searchers.map((w, i) => this.searcher(w, i)));
  }

  private async signed<T>(w: Wallet, method: string, params: unknown[]): Promise<Answer<T>> {
    const b = body(method, params);
    return post<T>(this.ctx.gateway, b, { 'x-flashbots-signature': await flashbotsSignature(w, b) });
  }

  private async searcher(w: Wallet, i: number): Promise<void> {
    const key = getBytes(w.privateKey);
    let n = 0;
    // Staggered so that about one bundle arrives per slot in all.
    await sleep((i * this.ctx.slotMs) / Math.max(1, this.searchers.length));
    while (!this.ctx.stopping()) {
      const nonceA = await post<string>(
        this.ctx.gateway,
        body('eth_getTransactionCount', [w.address, 'latest']),
      );
      if (nonceA.kind !== 'result') {
        await sleep(500);
        continue;
      }
      const target = (await this.ctx.head()) + 2;
      // A distinct value per bundle, so no two bundles share a transaction hash.
      const pay = 10n ** 14n * BigInt(1 + (n % 7)) + BigInt(i * 1_000_000 + n++);
      const tx = signTransfer(
        key,
        Number(nonceA.result),
        this.ctx.feeRecipient,
        pay,
        BigInt(1 + (n % 3)) * GWEI,
      );
      let acked: AckedBundle | undefined;
      const params = [{ txs: [tx.raw], blockNumber: '0x' + target.toString(16) }];
      while (!this.ctx.stopping() && (await this.ctx.head()) < target) {
        const a = await this.signed<{ bundleHash: string }>(w, 'eth_sendBundle', params);
        if (a.kind === 'result') {
          bump(this.counts, 'ack');
          acked = {
            bundleHash: a.result.bundleHash,
            searcher: w,
            target,
            txHashes: [tx.hash],
            at: this.ctx.clock(),
          };
          this.acked.push(acked);
          break;
        }
        if (a.kind === 'error') {
          bump(this.counts, `refused ${a.code}`);
          if (!this.messages.has(`refused ${a.code}`)) this.messages.set(`refused ${a.code}`, a.message);
          break;
        }
        bump(this.counts, a.kind === 'down' ? 'gateway down' : 'no answer');
        await sleep(300);
      }
      // Wait for the outcome (bounded) so the next bundle's nonce is right.
      const deadline = Date.now() + 10 * this.ctx.slotMs;
      while (acked && Date.now() < deadline) {
        const s = await this.signed<{ state: string }>(w, 'sealane_getBundleStatus', [acked.bundleHash]);
        if (
          s.kind === 'result' &&
          ['included', 'lost', 'dropped', 'replaced', 'cancelled'].includes(s.result.state)
        )
          break;
        await sleep(this.ctx.slotMs / 4);
      }
      while (!this.ctx.stopping() && (await this.ctx.head()) < target) await sleep(this.ctx.slotMs / 4);
      await sleep(this.ctx.slotMs * (this.searchers.length - 1));
    }
  }
}

/** Private transactions through the SDK: commit, reveal after the signed order, await the outcome. */
export class PrivateLoad {
  readonly acked: AckedCommit[] = [];
  readonly counts = new Map<string, number>();
  readonly messages = new Map<string, string>();

  constructor(
    private readonly ctx: LoadContext,
    private readonly users: Wallet[],
  ) {}

  async run(): Promise<void> {
    await Promise.all(this.users.map((w, i) => this.user(w, i)));
  }

  private async user(w: Wallet, i: number): Promise<void> {
    const client = new SealaneClient(this.ctx.gateway);
    await sleep((i * this.ctx.slotMs) / Math.max(1, this.users.length));
    let n = 0;
    while (!this.ctx.stopping()) {
      let c: Awaited<ReturnType<SealaneClient['commitPrivate']>>;
      try {
        c = await client.commitPrivate(w, {
          to: '0x000000000000000000000000000000000000cafe',
          value: 1000n + BigInt(i * 1_000_000 + n++),
          gasLimit: 21_000n,
        });
      } catch (e) {
        const k = e instanceof SealaneRpcError ? `refused ${e.code}` : 'gateway down or no answer';
        bump(this.counts, k);
        if (!this.messages.has(k)) this.messages.set(k, (e as Error).message);
        await sleep(this.ctx.slotMs);
        continue;
      }
      bump(this.counts, 'ack');
      const item: AckedCommit = {
        commitment: c.commitment,
        slot: c.slot,
        position: c.receipt.position,
        txHash: c.txHash,
        feeTxHash: c.feeTxHash,
        receipt: c.receiptJson,
        revealed: false,
        at: this.ctx.clock(),
      };
      this.acked.push(item);
      // Reveal, retrying while the gateway is down, until the slot's reveals are taken.
      for (;;) {
        try {
          await client.revealAfterOrder(c, { timeoutMs: 20 * this.ctx.slotMs });
          item.revealed = true;
          bump(this.counts, 'revealed');
          break;
        } catch (e) {
          if (e instanceof SealaneRpcError) {
            item.revealError = `${e.code} ${e.message}`;
            bump(this.counts, `reveal refused ${e.code}`);
            if (!this.messages.has(`reveal refused ${e.code}`))
              this.messages.set(`reveal refused ${e.code}`, e.message);
            break;
          }
          if ((await this.ctx.head()) >= c.slot) {
            item.revealError = String(e);
            bump(this.counts, 'reveal not delivered before the seal');
            break;
          }
          await sleep(200);
        }
      }
      // The outcome before the next commitment: its nonces follow this one's.
      const deadline = Date.now() + 20 * this.ctx.slotMs;
      while (Date.now() < deadline) {
        const s = await post<{ state: string } | null>(
          this.ctx.gateway,
          body('sealane_getCommitmentStatus', [c.commitment]),
        );
        if (s.kind === 'result' && s.result && ['included', 'skipped', 'expired'].includes(s.result.state))
          break;
        await sleep(this.ctx.slotMs / 4);
      }
    }
  }
}
