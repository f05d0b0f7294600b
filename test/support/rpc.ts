/** Test helpers: JSON-RPC over HTTP, signed transfers from anvil's dev accounts, waiting. */
import { Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';

export const L2_CHAIN_ID = 24225;

export async function rpcRaw(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const { json } = await rpcRaw(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  const r = json as { result?: T; error?: { code: number; message: string } };
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { code: r.error.code });
  return r.result as T;
}

export async function rpcError(
  url: string,
  method: string,
  params: unknown[] = [],
): Promise<{ code: number; message: string; data?: { name?: string } }> {
  const { json } = await rpcRaw(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  const r = json as { error?: { code: number; message: string } };
  if (!r.error) throw new Error(`${method} unexpectedly succeeded`);
  return r.error;
}

export const wallet = (i: number): Wallet => new Wallet(DEV_KEYS[i]);

/** A signed EIP-1559 transfer on the L2 chain. */
export async function transfer(
  from: number,
  nonce: number,
  opts: { to?: string; value?: bigint; chainId?: number; maxFeePerGas?: bigint } = {},
): Promise<string> {
  return wallet(from).signTransaction({
    type: 2,
    chainId: opts.chainId ?? L2_CHAIN_ID,
    nonce,
    to: opts.to ?? wallet(9).address,
    value: opts.value ?? 1000n + BigInt(nonce),
    gasLimit: 21000n,
    maxFeePerGas: opts.maxFeePerGas ?? 100n * 10n ** 9n,
    maxPriorityFeePerGas: 10n ** 9n,
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  ms = 30_000,
  every = 100,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
