/** A searcher's side of the gateway: signed JSON-RPC calls with the Flashbots auth header. */
import { Wallet } from 'ethers';
import { flashbotsSignature } from '@sealane/protocol';
import { DEV_KEYS } from '@sealane/config';

export interface RpcAnswer<T> {
  result?: T;
  error?: { code: number; message: string; data?: unknown };
}

export async function signedCall<T>(
  url: string,
  key: number | Wallet,
  method: string,
  params: unknown[],
): Promise<RpcAnswer<T>> {
  const w = typeof key === 'number' ? new Wallet(DEV_KEYS[key]) : key;
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-flashbots-signature': await flashbotsSignature(w, body),
    },
    body,
  });
  return (await res.json()) as RpcAnswer<T>;
}

export async function sendBundle(
  url: string,
  key: number | Wallet,
  txs: string[],
  blockNumber: number,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await signedCall<{ bundleHash: string }>(url, key, 'eth_sendBundle', [
    { txs, blockNumber: '0x' + blockNumber.toString(16), ...extra },
  ]);
  if (r.error) throw new Error(`eth_sendBundle: ${r.error.message}`);
  return r.result!.bundleHash;
}
