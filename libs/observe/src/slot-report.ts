/**
 * What a sealed slot did, read off the builder's record of it (the same record the store keeps):
 * the figures the metrics count and the lines the log prints, one per auction result and one
 * per slot's commitment outcomes. Pure.
 */
import { formatUnits } from 'ethers';
import type { SlotRecord } from '@sealane/store';
import { logEvent, type LogEvent } from './log';
import type { SlotFigures } from './metrics';

export function slotFigures(r: SlotRecord): SlotFigures {
  const winners = r.results?.winners ?? [];
  const prices = winners.map((w) => BigInt(w.price));
  const refunded = winners.filter((w) => BigInt(w.refund) > 0n);
  const commitments = { included: 0, skipped: 0, expired: 0 };
  for (const c of r.commitments) {
    const s = c.patch.state;
    if (s === 'included' || s === 'skipped' || s === 'expired') commitments[s]++;
  }
  return {
    block: r.block.number,
    txs: r.block.txs.length,
    bids: r.results?.bids ?? 0,
    winners: winners.length,
    clearingPriceWei: prices.length ? prices.reduce((a, b) => (b < a ? b : a)) : null,
    revenueWei: prices.reduce((a, b) => a + b, 0n),
    refunds: refunded.length,
    refundsWei: refunded.reduce((a, w) => a + BigInt(w.refund), 0n),
    dropped: r.bundles
      .filter((b) => b.patch.state === 'dropped')
      .map((b) => ({ code: b.patch.code ?? 'engine-refused' })),
    skipped: r.txs.flatMap((t) =>
      t.status.status === 'skipped' ? [{ code: t.status.code ?? 'engine-refused' }] : [],
    ),
    commitments,
    paramsVersion: r.block.paramsVersion,
  };
}

const gwei = (wei: bigint | string) => `${formatUnits(BigInt(wei), 'gwei')} gwei`;
const short = (h: string) => `${h.slice(0, 10)}…`;

/** The slot's log lines: its auction result (when anyone bid) and its commitments (when any). */
export function slotEvents(r: SlotRecord, f: SlotFigures): LogEvent[] {
  const out: LogEvent[] = [];
  const slot = r.block.number;
  const res = r.results;
  if (res && res.bids > 0) {
    const won = res.winners
      .map(
        (w) =>
          `${short(w.bundleHash)} of ${short(w.searcher)} pays ${gwei(w.price)}, refund ${gwei(w.refund)}`,
      )
      .join('; ');
    const dropped = r.bundles.filter((b) => b.patch.state === 'dropped');
    out.push(
      logEvent(
        'auction.result',
        `slot ${slot} auction: ${res.bids} bids, ${res.winners.length} won` +
          (won ? ` (${won})` : '') +
          (dropped.length ? `, ${dropped.length} dropped (${f.dropped.map((d) => d.code).join(', ')})` : '') +
          (f.clearingPriceWei === null ? '' : `, clearing price ${gwei(f.clearingPriceWei)}`) +
          `, bids root ${short(res.bidsRoot)}`,
        {
          slot,
          bids: res.bids,
          bidsRoot: res.bidsRoot,
          pricing: res.rules.pricing,
          reservePriceWei: res.rules.reservePrice,
          clearingPriceWei: f.clearingPriceWei,
          winners: res.winners.map((w) => ({
            bundleHash: w.bundleHash,
            searcher: w.searcher,
            valueWei: w.value,
            priceWei: w.price,
            refundWei: w.refund,
            priceSetBy: w.priceSetBy,
          })),
          dropped: dropped.map((b) => ({
            bundleHash: b.bundleHash,
            code: b.patch.code,
            reason: b.patch.reason,
          })),
        },
      ),
    );
  }
  if (r.commitments.length > 0) {
    const c = f.commitments;
    const why = r.commitments
      .filter((x) => x.patch.state === 'expired' || x.patch.state === 'skipped')
      .map((x) => ({
        commitment: x.commitment,
        state: x.patch.state,
        code: x.patch.code,
        reason: x.patch.reason,
      }));
    out.push(
      logEvent(
        'commitments.outcome',
        `slot ${slot} commitments: ${c.included} included, ${c.skipped} skipped, ${c.expired} expired` +
          (why.length
            ? ` (${why.map((w) => `${short(w.commitment)}: ${w.reason ?? w.state}`).join('; ')})`
            : ''),
        { slot, ...c, notIncluded: why },
      ),
    );
  }
  return out;
}
