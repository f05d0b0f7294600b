/** The demo's printing (timestamped lines, short hashes, ETH amounts) and polling helpers. */
const time = () => new Date().toISOString().slice(11, 23);
export const say = (msg: string) => console.log(`${time()}  ${msg}`);
export const short = (h: string) => `${h.slice(0, 10)}…${h.slice(-4)}`;

export async function rpc<T>(
  url: string,
  method: string,
  params: unknown[],
): Promise<{ result?: T; error?: { code: number; message: string } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as { result?: T; error?: { code: number; message: string } };
}

export const eth = (wei: bigint | string) => `${(Number(BigInt(wei)) / 1e18).toFixed(6)} ETH`;

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  deadline: number,
): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`demo timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
