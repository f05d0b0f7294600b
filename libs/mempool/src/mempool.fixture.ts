/** Keys, transactions and a small slot for the mempool's specs. Not for production use. */
import { Wallet, type TransactionRequest } from 'ethers';
import { fromHex } from '@sealane/protocol';
import type { CommitRules } from './commitment';
import { deploymentSalt, type MempoolDomain } from './signatures';

export const CHAIN_ID = 31337n;
export const FEE_RECIPIENT = '0x00000000000000000000000000000000000fee01';
export const FEE_WEI = 10_000_000_000_000n;
export const DOMAIN: MempoolDomain = { chainId: CHAIN_ID, salt: deploymentSalt('spec') };

/** Deterministic wallets: n = 1 is the sequencer, 2.. are users. */
export function wallet(n: number): Wallet {
  return new Wallet('0x' + n.toString(16).padStart(64, '0'));
}

export const RULES: CommitRules = {
  chainId: CHAIN_ID,
  feeRecipient: FEE_RECIPIENT,
  feeWei: FEE_WEI,
  minBytes: 256,
  maxBytes: 16_384,
};

export async function signTx(w: Wallet, tx: TransactionRequest): Promise<Uint8Array> {
  const raw = await w.signTransaction({
    type: 2,
    chainId: CHAIN_ID,
    maxFeePerGas: 2_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
    gasLimit: 21_000n,
    value: 0n,
    ...tx,
  });
  return fromHex(raw);
}

/** A plain fee payment from `w` with nonce `nonce`. */
export function feeTx(w: Wallet, nonce: number, over: TransactionRequest = {}): Promise<Uint8Array> {
  return signTx(w, { nonce, to: FEE_RECIPIENT, value: FEE_WEI, ...over });
}

/** A "swap": a call with some calldata, nonce `nonce`. */
export function swapTx(w: Wallet, nonce: number, over: TransactionRequest = {}): Promise<Uint8Array> {
  return signTx(w, {
    nonce,
    to: '0x000000000000000000000000000000000000a11e',
    data: '0x022c0d9f' + '00'.repeat(128),
    gasLimit: 200_000n,
    ...over,
  });
}
