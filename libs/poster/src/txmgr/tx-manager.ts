/**
 * The L1 transaction manager of the poster (after OP's txmgr and Nitro's dataposter): the
 * caller hands it a candidate (what to call, with what gas) and a nonce; it prices (EIP-1559,
 * bumps over a floor), signs, broadcasts and sorts the node's answers into kinds. It keeps no
 * state: nonces are the in-flight set's, so that they follow the batches' sequence numbers.
 */
import { isError, keccak256, Transaction, type Provider, type Wallet } from 'ethers';
import { eip1559Fees, feesAt, type Eip1559Fees } from './fees';

/** What the poster wants on L1, before a nonce and fees. */
export interface TxCandidate {
  to: string;
  /** Call data, hex. */
  data: string;
  gasLimit: bigint;
  /** Blob contents for a type-3 transaction; the calldata format never sets it (not sent yet). */
  blobs?: readonly Uint8Array[];
}

export interface SignedTx {
  raw: string;
  hash: string;
  fees: Eip1559Fees;
}

/** What the L1 node said to a broadcast, by kind. */
export type BroadcastResult =
  /** Accepted, or it already held this very transaction. */
  | 'sent'
  /** The nonce is mined already (this or another transaction): L1 will tell which. */
  | 'nonce-used'
  /** It holds a pricier transaction with this nonce: bump. */
  | 'underpriced'
  | 'no-funds'
  /** Anything else (node down, rate limit): retried later. */
  | 'failed';

/** The transaction manager: one account, nonces given by the caller, fees its own business. */
export interface TxManager {
  readonly address: string;
  /** Transactions of the account mined so far (the nonce of the next one to mine). */
  minedNonce(): Promise<number>;
  /** The same, counting the ones the L1 node holds in its pool. */
  pendingNonce(): Promise<number>;
  /** Signs the candidate at `nonce`; with `floor`, fees bumped above it (a replacement). */
  sign(c: TxCandidate, nonce: number, floor?: Eip1559Fees): Promise<SignedTx>;
  broadcast(raw: string): Promise<{ result: BroadcastResult; detail?: string }>;
  /** The L1 node knows this transaction (in its pool or mined). */
  knows(hash: string): Promise<boolean>;
  /** The first of `hashes` that was mined and reverted, if any. */
  revertedAmong(hashes: readonly string[]): Promise<string | null>;
  /** The candidate a signed transaction was made from, to sign it again with other fees. */
  candidateOf(raw: string): TxCandidate;
}

const GAS_MARGIN_PERCENT = 20n;

export class L1TxManager implements TxManager {
  private readonly provider: Provider;
  private chainId: bigint | null = null;

  constructor(
    private readonly wallet: Wallet,
    private readonly feeBumpPercent: number,
  ) {
    if (!wallet.provider) throw new Error('the poster wallet must be connected to an L1 provider');
    this.provider = wallet.provider;
  }

  get address(): string {
    return this.wallet.address;
  }

  minedNonce(): Promise<number> {
    return this.provider.getTransactionCount(this.address, 'latest');
  }

  pendingNonce(): Promise<number> {
    return this.provider.getTransactionCount(this.address, 'pending');
  }

  /**
   * The gas of a call on the chain as it is, with a margin; rejects with ethers' CALL_EXCEPTION
   * when it would revert there.
   */
  async estimateGas(c: Pick<TxCandidate, 'to' | 'data'>): Promise<bigint> {
    const gas = await this.provider.estimateGas({ from: this.address, to: c.to, data: c.data });
    return (gas * (100n + GAS_MARGIN_PERCENT)) / 100n;
  }

  async sign(c: TxCandidate, nonce: number, floor?: Eip1559Fees): Promise<SignedTx> {
    if (c.blobs?.length) throw new RangeError('the L1 transaction manager does not send blob transactions');
    this.chainId ??= (await this.provider.getNetwork()).chainId;
    const fees = feesAt(eip1559Fees(await this.provider.getFeeData()), floor, this.feeBumpPercent);
    const raw = await this.wallet.signTransaction({
      type: 2,
      chainId: this.chainId,
      nonce,
      to: c.to,
      data: c.data,
      value: 0n,
      gasLimit: c.gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    return { raw, hash: keccak256(raw), fees };
  }

  async broadcast(raw: string): Promise<{ result: BroadcastResult; detail?: string }> {
    try {
      await this.provider.broadcastTransaction(raw);
      return { result: 'sent' };
    } catch (e: unknown) {
      if (isError(e, 'NONCE_EXPIRED')) return { result: 'nonce-used' };
      if (isError(e, 'REPLACEMENT_UNDERPRICED')) return { result: 'underpriced' };
      if (isError(e, 'INSUFFICIENT_FUNDS')) return { result: 'no-funds' };
      const detail = describeError(e);
      // Geth and anvil answer a rebroadcast of a transaction they hold with "already known".
      const text = `${detail} ${e instanceof Error ? e.message : ''}`;
      if (/already known|already imported|known transaction/i.test(text)) return { result: 'sent' };
      return { result: 'failed', detail };
    }
  }

  async knows(hash: string): Promise<boolean> {
    return (await this.provider.getTransaction(hash)) !== null;
  }

  async revertedAmong(hashes: readonly string[]): Promise<string | null> {
    for (const h of hashes) {
      const r = await this.provider.getTransactionReceipt(h);
      if (r && r.status === 0) return h;
    }
    return null;
  }

  candidateOf(raw: string): TxCandidate {
    const tx = Transaction.from(raw);
    return { to: tx.to!, data: tx.data, gasLimit: tx.gasLimit };
  }
}

/** One line for a log: ethers errors by code and short message, others by name and message. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const { code, shortMessage } = e as Error & { code?: unknown; shortMessage?: unknown };
  if (typeof code === 'string' && typeof shortMessage === 'string') return `${code}: ${shortMessage}`;
  return `${e.name}: ${e.message}`;
}
