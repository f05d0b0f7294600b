/**
 * Private-transaction users, run in a worker thread so that their signing, encryption and proof
 * checks do not share the sequencer's event loop: each funded key sends one private transaction
 * at a time with the SDK (its nonces are its own, so one in flight per sender), until the shared
 * count is used up. Before each, a user waits a random part of a slot, so that commits fall at
 * every phase of the slot rather than all just after a seal.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Wallet } from 'ethers';
import { SealaneClient, type MempoolInfo } from '@sealane/sdk';

export interface UsersInit {
  url: string;
  keys: string[];
  slotMs: number;
  /** Untimed transactions first (one per key, all at once), then `count` timed ones. */
  warmup: boolean;
  count: number;
  pollMs: number;
  timeoutMs: number;
  /** 'keypers': the SDK returns at the receipt; the outcome is then polled by commitment. */
  reveal?: 'user' | 'keypers';
}

export interface PrivateTxSample {
  sender: string;
  /** The gateway's open slot (sealed head + 1) as the SDK read it just before committing. */
  openSlot: number;
  /** The slot committed for: the open one, or the next when the open one closed meanwhile. */
  slot?: number;
  state: string;
  block?: number;
  reason?: string;
  orderedMs?: number;
  /** SDK timing: from the commit call to the sealed outcome. */
  sealedMs?: number;
  /** Keyper mode: from the call to the receipt, when the SDK returns. */
  committedMs?: number;
  /** Set when the SDK threw (timeout, RPC error, failed check); `state` is then the outcome. */
  error?: string;
}

export interface UsersResult {
  samples: PrivateTxSample[];
}

/**
 * The SDK, recording the open slot it read (its first step is mempoolInfo()) and the commitment
 * its receipt names, so that the outcome of a call that threw can still be looked up.
 */
class RecordingClient extends SealaneClient {
  lastOpenSlot = 0;
  commitment: string | undefined;
  override async mempoolInfo(): Promise<MempoolInfo> {
    const info = await super.mempoolInfo();
    this.lastOpenSlot = info.openSlot;
    return info;
  }
  override async rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    const r = await super.rpc<T>(method, params);
    if (method === 'sealane_commit') this.commitment = (r as { commitment?: string }).commitment;
    return r;
  }
}

const FINAL = ['included', 'skipped', 'expired'];

const init = workerData as UsersInit;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(w: Wallet, to: string): Promise<PrivateTxSample> {
  const sdk = new RecordingClient(init.url);
  try {
    if (init.reveal === 'keypers') {
      const t0 = Date.now();
      const c = await sdk.sendPrivateTransaction(
        w,
        { to, value: 1n, gasLimit: 21_000n },
        { reveal: 'keypers', pollMs: init.pollMs, timeoutMs: init.timeoutMs },
      );
      const st = await sdk.outcomeOf(c.commitment, { pollMs: init.pollMs, timeoutMs: init.timeoutMs });
      return {
        sender: w.address,
        openSlot: sdk.lastOpenSlot,
        slot: c.slot,
        state: st.state,
        block: st.block,
        reason: st.reason,
        committedMs: c.committedMs,
        sealedMs: Date.now() - t0,
      };
    }
    const r = await sdk.sendPrivateTransaction(
      w,
      { to, value: 1n, gasLimit: 21_000n },
      { pollMs: init.pollMs, timeoutMs: init.timeoutMs },
    );
    return {
      sender: w.address,
      openSlot: sdk.lastOpenSlot,
      slot: r.slot,
      state: r.status.state,
      block: r.status.block,
      reason: r.status.reason,
      orderedMs: r.timings.orderedMs,
      sealedMs: r.timings.sealedMs,
    };
  } catch (e) {
    const failed: PrivateTxSample = {
      sender: w.address,
      openSlot: sdk.lastOpenSlot,
      state: 'error',
      error: String(e),
    };
    // Committed but then refused (a reveal after the window, say): the commitment still gets an
    // outcome, normally expired with its fee charged. That outcome is what counts.
    const deadline = Date.now() + init.timeoutMs;
    while (sdk.commitment !== undefined && Date.now() < deadline) {
      const st = await sdk
        .rpc<{ state: string; block?: number; reason?: string } | null>('sealane_getCommitmentStatus', [
          sdk.commitment,
        ])
        .catch(() => null);
      if (st && FINAL.includes(st.state))
        return { ...failed, state: st.state, block: st.block, reason: st.reason };
      await sleep(init.pollMs);
    }
    return failed;
  }
}

async function main(): Promise<UsersResult> {
  const wallets = init.keys.map((k) => new Wallet(k));
  // Each user pays the next one, so every transfer is a plain value move between funded keys.
  const to = (i: number) => wallets[(i + 1) % wallets.length].address;
  if (init.warmup) await Promise.all(wallets.map((w, i) => send(w, to(i))));
  const samples: PrivateTxSample[] = [];
  let left = init.count;
  await Promise.all(
    wallets.map(async (w, i) => {
      while (left > 0) {
        left--;
        await sleep(Math.random() * init.slotMs);
        samples.push(await send(w, to(i)));
      }
    }),
  );
  return { samples };
}

void main().then(
  (r) => parentPort!.postMessage(r),
  (e: unknown) => parentPort!.postMessage({ samples: [], fatal: String(e) }),
);
