/**
 * The Sealane SDK: a user's private transaction in one call. It signs the plaintext fee
 * transaction (nonce n) and the hidden one (nonce n + 1), encrypts the latter with a fresh key,
 * commits, checks the sequencer's signed receipt, waits for the slot's published order, checks
 * its receipt against it (proof included) and only then reveals the key.
 */
import type { TransactionRequest, Wallet } from 'ethers';
import {
  checkCommitReceipt,
  checkPublishedOrder,
  commitRequestToJson,
  orderTree,
  prepareCommit,
  revealRequestOf,
  revealRequestToJson,
  signedReceiptFromJson,
  signedSlotOrderFromJson,
  type CommitReceipt,
  type MempoolDomain,
  type PreparedCommit,
  type SequencerTrust,
  type SignedReceiptJson,
} from '@sealane/mempool';
import { fromHex, keccak256, toHex, type SlotTimes } from '@sealane/protocol';

export class SealaneRpcError extends Error {
  override readonly name = 'SealaneRpcError';
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${message} (code ${code})`);
  }
}

export interface MempoolInfo {
  openSlot: number;
  chainId: string;
  sequencer: string;
  feeRecipient: string;
  domain: { chainId: string; salt: string };
  commitmentFeeWei: string;
  paddingBucketMinBytes: number;
  paddingBucketMaxBytes: number;
  revealWindowMs: number;
  slotMs: number;
  /** The earliest the open slot closes (its order is published) and ends (its block is sealed). */
  openSlotTimes?: SlotTimes;
  /** The gateway's clock when it answered. */
  nowMs?: number;
  /** The keypers' eon public key (0x, 48 bytes) to seal to a slot; null while they have none. */
  keyperPublicKey?: string | null;
}

/**
 * What the SDK needs of a wallet: its address and signing, e.g. an ethers Wallet. Structural on
 * purpose: a Wallet from the ESM and one from the CommonJS build of ethers (what an ESM project
 * and this CommonJS package each load) are different classes to TypeScript, and both fit.
 */
export type TransactionSigner = Pick<Wallet, 'address' | 'signTransaction'>;

/** A private transaction, committed and receipted. */
export interface PrivateTxCommitted {
  slot: number;
  position: number;
  commitment: string;
  txHash: string;
  feeTxHash: string;
  /** The sequencer's signed receipt (what `sealane audit` checks). */
  receipt: SignedReceiptJson;
}

/** What sendPrivateTransaction answers with `reveal: 'keypers'`: the commit, receipted; nothing more to do. */
export interface CommittedPrivateTx extends PrivateTxCommitted {
  reveal: 'keypers';
  /** ms from asking for the mempool's rules to the checked receipt. */
  committedMs: number;
}

export interface PrivateTxResult extends PrivateTxCommitted {
  /** Where the hidden transaction landed, once the slot is sealed. */
  status: { state: string; block?: number; index?: number; reason?: string };
  /** ms from the commit to the published order, and to the sealed outcome. */
  timings: { orderedMs: number; sealedMs: number };
}

/** A commitment made and receipted, not yet revealed. */
export interface PrivateCommit {
  slot: number;
  prepared: PreparedCommit;
  receipt: CommitReceipt;
  /** The signed receipt exactly as sealane_commit answered it: keep it for `sealane audit`. */
  receiptJson: SignedReceiptJson;
  trust: SequencerTrust;
  commitment: string;
  txHash: string;
  feeTxHash: string;
  committedAt: number;
  /** On this machine's clock: the slot's block is sealed no sooner (0: unknown). */
  sealedNotBefore: number;
}

export interface SendPrivateOptions {
  /** Slot to target; default the open slot (the next one if it closes meanwhile). */
  slot?: number;
  /** Fee cap for both transactions (default 100 gwei) and tip (default 1 gwei). */
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  pollMs?: number;
  timeoutMs?: number;
  /**
   * 'user' (default): this call waits for the slot's order, checks it and reveals the key itself.
   * 'keypers': the transaction is sealed to its slot for the keypers, who release the slot's key
   * after the order is published; the call returns once the commit is receipted.
   */
  reveal?: 'user' | 'keypers';
}

/** What a user waits at least before the close when sealing to a slot for the keypers, at first. */
const KEYPER_SEAL_MARGIN_MS = 60;

/** Thrown by a keyper-mode send when the gateway's keypers have no eon key yet. */
export class KeypersUnavailableError extends Error {
  override readonly name = 'KeypersUnavailableError';
}

export class SealaneClient {
  private id = 1;

  constructor(readonly url: string) {}

  async rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: this.id++, method, params }),
    });
    const r = (await res.json()) as { result?: T; error?: { code: number; message: string; data?: unknown } };
    if (r.error) throw new SealaneRpcError(method, r.error.code, r.error.message, r.error.data);
    return r.result as T;
  }

  mempoolInfo(): Promise<MempoolInfo> {
    return this.rpc<MempoolInfo>('sealane_getMempoolInfo');
  }

  /**
   * Step 1: signs the fee transaction (nonce n) and the hidden one (n + 1), encrypts, commits and
   * checks the sequencer's signed receipt. Keep `receiptJson`: it is what `sealane audit` takes.
   */
  async commitPrivate(
    wallet: TransactionSigner,
    tx: TransactionRequest,
    opts: SendPrivateOptions = {},
  ): Promise<PrivateCommit> {
    const askedAt = Date.now();
    const info = await this.mempoolInfo();
    const chainId = BigInt(info.chainId);
    const trust: SequencerTrust = {
      sequencer: info.sequencer,
      domain: {
        chainId: BigInt(info.domain.chainId),
        salt: fromHex(info.domain.salt),
      } satisfies MempoolDomain,
    };
    const nonce = Number(await this.rpc<string>('eth_getTransactionCount', [wallet.address, 'pending']));
    const fees = {
      maxFeePerGas: opts.maxFeePerGas ?? 100n * 10n ** 9n,
      maxPriorityFeePerGas: opts.maxPriorityFeePerGas ?? 10n ** 9n,
    };
    const feeTx = await wallet.signTransaction({
      type: 2,
      chainId,
      nonce,
      to: info.feeRecipient,
      value: BigInt(info.commitmentFeeWei),
      gasLimit: 21_000n,
      ...fees,
    });
    const signedTx = await wallet.signTransaction({
      type: 2,
      chainId,
      gasLimit: 300_000n,
      ...fees,
      ...tx,
      nonce: nonce + 1,
    });
    const rules = {
      chainId,
      feeRecipient: info.feeRecipient,
      feeWei: BigInt(info.commitmentFeeWei),
      minBytes: info.paddingBucketMinBytes,
      maxBytes: info.paddingBucketMaxBytes,
    };
    if (opts.reveal === 'keypers' && !info.keyperPublicKey)
      throw new KeypersUnavailableError('the keypers have no eon key yet: send with reveal "user", or later');
    const keyperPublicKey = opts.reveal === 'keypers' ? fromHex(info.keyperPublicKey!) : undefined;
    const committedAt = Date.now();
    // Sealing to a slot for the keypers costs a pairing (tens of ms in JS), so aim at a slot that
    // will still be open when the commit arrives: the next one when the open one closes sooner.
    let cur = info;
    let asked = askedAt;
    let sealMs = keyperPublicKey ? KEYPER_SEAL_MARGIN_MS : 0;
    const aim = (i: MempoolInfo, from: number): number => {
      const left = i.openSlotTimes && i.nowMs !== undefined ? i.openSlotTimes.closeMs - i.nowMs : Infinity;
      return Math.max(from, keyperPublicKey && left < 2 * sealMs ? i.openSlot + 1 : i.openSlot);
    };
    let slot = opts.slot ?? aim(info, info.openSlot);
    for (;;) {
      const t0 = Date.now();
      const prepared = prepareCommit({
        signedTx: fromHex(signedTx),
        feeTx: fromHex(feeTx),
        sender: wallet.address,
        slot: BigInt(slot),
        params: rules,
        ...(keyperPublicKey ? { keyperPublicKey } : {}),
      });
      if (keyperPublicKey) sealMs = Math.max(Date.now() - t0, 1);
      let receiptJson: SignedReceiptJson;
      try {
        receiptJson = await this.rpc<SignedReceiptJson>('sealane_commit', [
          commitRequestToJson(prepared.request),
        ]);
      } catch (e) {
        // The slot closed while we encrypted for it: aim again from where the chain is now.
        if (opts.slot === undefined && e instanceof SealaneRpcError && /closed|sealed/.test(e.message)) {
          asked = Date.now();
          cur = await this.mempoolInfo();
          slot = aim(cur, slot + 1);
          continue;
        }
        throw e;
      }
      const receipt = checkCommitReceipt(prepared, signedReceiptFromJson(receiptJson), trust);
      return {
        slot,
        prepared,
        receipt,
        receiptJson,
        trust,
        commitment: toHex(prepared.commitment),
        txHash: toHex(prepared.txHash),
        feeTxHash: toHex(keccak256(fromHex(feeTx))),
        committedAt,
        sealedNotBefore: sealedNotBefore(cur, asked, slot),
      };
    }
  }

  /** Step 2: waits for the slot's signed order, checks the receipt against it, then reveals. */
  async revealAfterOrder(c: PrivateCommit, opts: SendPrivateOptions = {}): Promise<void> {
    // No waiting for the order's earliest time here: an order published early (by a sequencer
    // whose clock runs ahead) must still be revealed against in its window.
    const orderJson = await this.poll('the slot order', opts, () =>
      this.rpc<Record<string, unknown> | null>('sealane_getSlotOrder', ['0x' + c.slot.toString(16)]),
    );
    const { signed: order, commitments } = signedSlotOrderFromJson(orderJson);
    const proof = orderTree(BigInt(c.slot), commitments ?? []).proof(c.receipt.position);
    checkPublishedOrder(c.receipt, order, proof, c.trust);
    await this.rpc('sealane_reveal', [revealRequestToJson(revealRequestOf(c.prepared))]);
  }

  /** Step 3: waits for the commitment's outcome: included, skipped or expired. */
  async outcome(c: PrivateCommit, opts: SendPrivateOptions = {}): Promise<PrivateTxResult['status']> {
    await sleepUntil(c.sealedNotBefore);
    return this.outcomeOf(c.commitment, opts);
  }

  /** Waits for a commitment's final state by its hash (e.g. one sent with `reveal: 'keypers'`). */
  async outcomeOf(commitment: string, opts: SendPrivateOptions = {}): Promise<PrivateTxResult['status']> {
    return this.poll('the outcome', opts, async () => {
      const s = await this.rpc<PrivateTxResult['status'] | null>('sealane_getCommitmentStatus', [commitment]);
      return s && ['included', 'skipped', 'expired'].includes(s.state) ? s : null;
    });
  }

  /**
   * The three steps in one call; with `reveal: 'keypers'` only the first: the keypers hold the
   * key, so the call returns with the receipt and the user can go offline.
   */
  async sendPrivateTransaction(
    wallet: TransactionSigner,
    tx: TransactionRequest,
    opts: SendPrivateOptions & { reveal: 'keypers' },
  ): Promise<CommittedPrivateTx>;
  async sendPrivateTransaction(
    wallet: TransactionSigner,
    tx: TransactionRequest,
    opts?: SendPrivateOptions,
  ): Promise<PrivateTxResult>;
  async sendPrivateTransaction(
    wallet: TransactionSigner,
    tx: TransactionRequest,
    opts: SendPrivateOptions = {},
  ): Promise<PrivateTxResult | CommittedPrivateTx> {
    const started = Date.now();
    const c = await this.commitPrivate(wallet, tx, opts);
    const committed: PrivateTxCommitted = {
      slot: c.slot,
      position: c.receipt.position,
      commitment: c.commitment,
      txHash: c.txHash,
      feeTxHash: c.feeTxHash,
      receipt: c.receiptJson,
    };
    if (opts.reveal === 'keypers')
      return { ...committed, reveal: 'keypers', committedMs: Date.now() - started };
    await this.revealAfterOrder(c, opts);
    const orderedMs = Date.now() - c.committedAt;
    const status = await this.outcome(c, opts);
    return { ...committed, status, timings: { orderedMs, sealedMs: Date.now() - c.committedAt } };
  }

  private async poll<T>(
    what: string,
    opts: SendPrivateOptions,
    probe: () => Promise<T | null | undefined>,
  ): Promise<T> {
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 25));
    }
  }
}

/** Early by this much more, for clocks that drift apart between the info and the wait. */
const CLOCK_MARGIN_MS = 10;

/**
 * When `slot`'s block can be sealed at the earliest, on this machine's clock (slot times from
 * the gateway's info, a slot length per slot beyond the open one); 0 when the gateway does not
 * say. The gateway read its clock after `askedAt`, so mapping its time to this machine's at
 * `askedAt` errs early, never late. Waiting costs nothing here: an outcome stays once recorded.
 */
function sealedNotBefore(info: MempoolInfo, askedAt: number, slot: number): number {
  if (!info.openSlotTimes || info.nowMs === undefined) return 0;
  const ahead = Math.max(0, slot - info.openSlot) * info.slotMs;
  return info.openSlotTimes.endMs + ahead + askedAt - info.nowMs - CLOCK_MARGIN_MS;
}

const sleepUntil = (ms: number): Promise<void> =>
  ms > Date.now() ? new Promise((r) => setTimeout(r, ms - Date.now())) : Promise.resolve();
