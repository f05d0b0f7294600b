/**
 * Funding the sustained benchmark's public senders through the pipeline itself. They cannot all be
 * in the L2 genesis: the genesis config is published in the Inbox's constructor, and a
 * constructor's arguments count against the 49,152-byte initcode limit (EIP-3860), which about
 * 500 accounts exceed. So the genesis funds a few funders, and these pay every sender in ordinary
 * transfers through the gateway, a window's worth of nonces per funder per round; the balances
 * are then in the chain like any other (a replica derives them).
 */
import { getBytes } from 'ethers';
import { signTransfer } from '../soak/load';
import { rpcBatch } from '../soak/procs';
import { progress } from '../support';

/** Transfers per funder per round: below the gateway's 64-nonce window. */
const PER_ROUND = 56;
/** What each sender gets: far more than the fees of the transfers it sends in a run. */
const GRANT_WEI = 10n * 10n ** 18n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function fundSenders(
  gateway: string,
  l2Url: string,
  funderKeys: string[],
  recipients: string[],
  slotMs: number,
): Promise<void> {
  const keys = funderKeys.map((k) => getBytes(k));
  const t0 = Date.now();
  for (let round = 0, done = 0; done < recipients.length; round++) {
    const txs: { raw: string; hash: string }[] = [];
    for (let k = 0; k < PER_ROUND && done < recipients.length; k++)
      for (let f = 0; f < keys.length && done < recipients.length; f++)
        txs.push(signTransfer(keys[f], round * PER_ROUND + k, recipients[done++], GRANT_WEI));
    await rpcBatch<string>(
      gateway,
      txs.map((t) => ['eth_sendRawTransaction', [t.raw]]),
    );
    const deadline = Date.now() + Math.max(60_000, 30 * slotMs);
    for (let left = txs; left.length;) {
      if (Date.now() > deadline) throw new Error(`funding: ${left.length} transfers not sealed in time`);
      await sleep(slotMs / 2);
      const rs = await rpcBatch<{ status: string } | null>(
        l2Url,
        left.map((t) => ['eth_getTransactionReceipt', [t.hash]]),
      );
      if (rs.some((r) => r && r.status !== '0x1')) throw new Error('funding: a transfer reverted');
      left = left.filter((_, i) => !rs[i]);
    }
  }
  progress(`sustained: funded ${recipients.length} senders in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
