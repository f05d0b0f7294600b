/**
 * The L1 transaction manager of the poster (after OP's txmgr and Nitro's dataposter): the
 * caller hands it a call and a nonce; it prices (EIP-1559, bumps over a floor), signs,
 * broadcasts and sorts the node's answers into kinds. It keeps no state: nonces are the
 * in-flight set's, so that they follow the batches' sequence numbers.
 */
import { isError, keccak256, Transaction, type Provider, type Wallet } from 'ethers';
import { bumpFees, eip1559Fees, type Eip1559Fees } from '../fees';
import type { BroadcastResult, SignedTx, TxManager } from '../in-flight';

export class L1TxManager implements TxManager {
  private readonly provider: Provider;
  private chainId: bigint | null = null;

  constructor(
    private readonly wallet: Wallet,
    private readonly to: string,
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

  async sign(t: { nonce: number; data: string; gasLimit: bigint }, floor?: Eip1559Fees): Promise<SignedTx> {
    this.chainId ??= (await this.provider.getNetwork()).chainId;
    const suggested = eip1559Fees(await this.provider.getFeeData());
    const fees = floor ? bumpFees(floor, suggested, this.feeBumpPercent) : suggested;
    const raw = await this.wallet.signTransaction({
      type: 2,
      chainId: this.chainId,
      nonce: t.nonce,
      to: this.to,
      data: t.data,
      value: 0n,
      gasLimit: t.gasLimit,
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

  dataOf(raw: string): string {
    return Transaction.from(raw).data;
  }
}

/** One line for a log: ethers errors by code and short message, others by name and message. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const { code, shortMessage } = e as Error & { code?: unknown; shortMessage?: unknown };
  if (typeof code === 'string' && typeof shortMessage === 'string') return `${code}: ${shortMessage}`;
  return `${e.name}: ${e.message}`;
}
