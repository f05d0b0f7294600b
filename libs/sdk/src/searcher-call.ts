/**
 * A searcher's signed JSON-RPC call: the body signed in `X-Flashbots-Signature` (EIP-191 over the
 * hex of keccak256(body)), as `@flashbots/ethers-provider-bundle` sends it. Answers the raw
 * JSON-RPC answer, so callers see Sealane's error codes as they are.
 */
import type { Wallet } from 'ethers';
import { flashbotsSignature } from '@sealane/protocol';

export interface RpcAnswer<T> {
  result?: T;
  error?: { code: number; message: string; data?: unknown };
}

export async function searcherCall<T>(
  url: string,
  signer: Wallet,
  method: string,
  params: unknown[],
): Promise<RpcAnswer<T>> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-flashbots-signature': await flashbotsSignature(signer, body),
    },
    body,
  });
  return (await res.json()) as RpcAnswer<T>;
}
