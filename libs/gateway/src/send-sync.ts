/**
 * eth_sendRawTransactionSync (EIP-7966): eth_sendRawTransaction, then the receipt once the
 * transaction is sealed. The wait is the call's timeout (ms, a number or a 0x quantity) when it is
 * positive and at most the node's maximum, else the node's default. Answers: the receipt as
 * eth_getTransactionReceipt gives it; code 4 (ReceiptTimeoutError, data: the hash) when none came
 * in time, the transaction staying in the lane; code 5 (TransactionNotProcessedError) when its
 * slot skipped it (data: hash, reason, code); any error of eth_sendRawTransaction at once.
 */
import { ReceiptTimeoutError, TransactionNotProcessedError } from '@sealane/protocol';
import { arity } from '@sealane/rpc';
import type { TxStatus } from '@sealane/store';
import { quantity } from './bundle-params';

export interface SendSyncDeps {
  send(raw: unknown): Promise<string>;
  status(hash: string): Promise<TxStatus | null>;
  receipt(hash: string): Promise<unknown>;
  defaultMs: number;
  maxMs: number;
  /** How often the status is read while waiting. */
  pollMs?: number;
}

/** The call's timeout when it is a valid one, else the default (EIP-7966: an invalid one is not an error). */
function timeoutOf(v: unknown, d: SendSyncDeps): number {
  let n: number;
  try {
    n = quantity(v, 'timeout');
  } catch {
    return d.defaultMs;
  }
  return n > 0 && n <= d.maxMs ? n : d.defaultMs;
}

export async function sendRawTransactionSync(p: unknown[], d: SendSyncDeps): Promise<unknown> {
  arity(p, 1, 2);
  const waitMs = timeoutOf(p[1], d);
  const deadline = Date.now() + waitMs;
  const hash = await d.send(p[0]);
  for (;;) {
    const st = await d.status(hash);
    if (st?.status === 'included') {
      const r = await d.receipt(hash);
      if (r) return r;
    }
    if (st?.status === 'skipped')
      throw new TransactionNotProcessedError(`the transaction was not processed: ${st.reason}`, {
        data: { hash, reason: st.reason, ...(st.code ? { code: st.code } : {}) },
      });
    if (st?.status === 'replaced')
      throw new TransactionNotProcessedError(`the transaction was replaced by ${st.by}`, {
        data: { hash, by: st.by },
      });
    if (Date.now() >= deadline)
      throw new ReceiptTimeoutError(
        `the transaction was added to the pool but was not sealed within ${waitMs} ms`,
        {
          data: hash,
        },
      );
    await new Promise((r) => setTimeout(r, Math.min(d.pollMs ?? 10, Math.max(1, deadline - Date.now()))));
  }
}
