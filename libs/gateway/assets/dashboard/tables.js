// The dashboard's tables: each one a list of columns over the data API's flat records. Built with
// DOM nodes and textContent only, so nothing a record holds is ever read as HTML.

const GWEI = 10n ** 9n;
const ETH = 10n ** 18n;

/** A decimal string of wei, in ETH above 0.0001 ETH, else in gwei. */
export function fmtWei(s) {
  if (s === null || s === undefined) return '–';
  const v = BigInt(s);
  if (v === 0n) return '0';
  const unit = v >= ETH / 10000n ? ETH : GWEI;
  const whole = v / unit;
  const frac = ((v % unit) * 1000000n) / unit;
  const digits = frac.toString().padStart(6, '0').replace(/0+$/, '');
  return `${whole}${digits ? '.' + digits : ''} ${unit === ETH ? 'ETH' : 'gwei'}`;
}

export function short(hash) {
  if (!hash) return '–';
  return hash.length > 14 ? `${hash.slice(0, 8)}…${hash.slice(-4)}` : hash;
}

export function ago(ms, nowMs) {
  if (!ms) return '–';
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : `${Math.floor(s / 3600)}h ago`;
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

/** A shortened hash that shows the whole of it on hover. */
const hash = (h) => (h ? el('span', { title: h }, short(h)) : '–');
const tag = (text, kind) => el('span', { class: `tag tag-${kind}` }, text);

const STATE_KIND = {
  included: 'good',
  won: 'good',
  lost: 'muted',
  dropped: 'bad',
  skipped: 'warn',
  expired: 'muted',
};
const state = (s) => tag(s, STATE_KIND[s] ?? 'muted');

/** Replaces a table's rows; `attrs(row)` gives each row's attributes (its data-* keys). */
export function render(table, columns, rows, attrs = () => ({}), empty = 'nothing yet') {
  const head = el('tr', {}, ...columns.map((c) => el('th', c.num ? { class: 'num' } : {}, c.title)));
  const body = rows.length
    ? rows.map((r) =>
        el('tr', attrs(r), ...columns.map((c) => el('td', c.num ? { class: 'num' } : {}, c.get(r) ?? '–'))),
      )
    : [el('tr', { class: 'empty' }, el('td', { colspan: columns.length }, empty))];
  table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
}

export function blocksTable(table, rows, nowMs) {
  render(
    table,
    [
      { title: 'block', get: (r) => r.block, num: true },
      { title: 'hash', get: (r) => hash(r.hash) },
      { title: 'txs', get: (r) => r.txs, num: true },
      { title: 'gas used', get: (r) => (r.gasUsed === null ? '–' : r.gasUsed.toLocaleString('en-US')), num: true },
      { title: 'bids', get: (r) => r.bids, num: true },
      { title: 'winners', get: (r) => r.winners, num: true },
      { title: 'clearing price', get: (r) => fmtWei(r.clearingPrice), num: true },
      { title: 'refunded', get: (r) => fmtWei(r.refunded), num: true },
      {
        title: 'commitments (in / skip / exp)',
        get: (r) =>
          r.commitments
            ? `${r.commitments} (${r.commitmentsIncluded} / ${r.commitmentsSkipped} / ${r.commitmentsExpired})`
            : '0',
      },
      { title: 'bids root', get: (r) => hash(r.bidsRoot) },
      { title: 'params', get: (r) => `v${r.paramsVersion}`, num: true },
      { title: 'sealed', get: (r) => ago(r.endMs, nowMs) },
    ],
    rows,
    (r) => ({ 'data-block': r.block }),
  );
}

export function winnersTable(table, rows) {
  render(
    table,
    [
      { title: 'slot', get: (r) => r.slot, num: true },
      { title: 'bundle', get: (r) => hash(r.bundleHash) },
      { title: 'searcher', get: (r) => hash(r.searcher) },
      { title: 'value', get: (r) => fmtWei(r.value), num: true },
      { title: 'price', get: (r) => fmtWei(r.price), num: true },
      { title: 'refund', get: (r) => fmtWei(r.refund), num: true },
      { title: 'refund tx', get: (r) => hash(r.refundTxHash) },
      { title: 'price set by', get: (r) => (r.priceSetBy ? hash(r.priceSetBy) : 'reserve / own bid') },
    ],
    rows,
    (r) => ({ 'data-bundle-hash': r.bundleHash, 'data-slot': r.slot }),
    'no winner yet',
  );
}

export function bidsTable(table, rows) {
  render(
    table,
    [
      { title: 'slot', get: (r) => r.slot, num: true },
      { title: 'rank', get: (r) => r.rank, num: true },
      { title: 'bundle', get: (r) => hash(r.bundleHash) },
      { title: 'searcher', get: (r) => hash(r.searcher) },
      { title: 'value', get: (r) => fmtWei(r.value), num: true },
      { title: 'gas', get: (r) => r.gasUsed.toLocaleString('en-US'), num: true },
      { title: 'outcome', get: (r) => state(r.state) },
      { title: 'bids root', get: (r) => hash(r.bidsRoot) },
    ],
    rows,
    (r) => ({ 'data-bundle-hash': r.bundleHash, 'data-slot': r.slot }),
    'no bid in a sealed slot yet',
  );
}

export function refundsTable(table, rows) {
  render(
    table,
    [
      { title: 'slot', get: (r) => r.slot, num: true },
      { title: 'searcher', get: (r) => hash(r.searcher) },
      { title: 'bundle', get: (r) => hash(r.bundleHash) },
      { title: 'refund', get: (r) => fmtWei(r.refund), num: true },
      { title: 'refund tx', get: (r) => hash(r.refundTxHash) },
    ],
    rows,
    (r) => ({ 'data-bundle-hash': r.bundleHash }),
    'no refund yet',
  );
}

export function commitmentsTable(table, rows) {
  render(
    table,
    [
      { title: 'slot', get: (r) => r.slot, num: true },
      { title: 'pos', get: (r) => r.position, num: true },
      { title: 'commitment', get: (r) => hash(r.commitment) },
      { title: 'sender', get: (r) => hash(r.sender) },
      { title: 'outcome', get: (r) => state(r.state) },
      { title: 'tx', get: (r) => hash(r.txHash) },
      { title: 'index', get: (r) => r.index, num: true },
      { title: 'why', get: (r) => r.code ?? r.reason ?? '' },
    ],
    rows,
    (r) => ({ 'data-commitment': r.commitment, 'data-state': r.state }),
    'no commitment in a sealed slot yet',
  );
}

export function batchesTable(table, rows) {
  render(
    table,
    [
      { title: 'seq', get: (r) => r.seq, num: true },
      { title: 'blocks', get: (r) => `${r.firstBlock}–${r.lastBlock}` },
      { title: 'bytes before', get: (r) => r.rawBytes.toLocaleString('en-US'), num: true },
      { title: 'after', get: (r) => r.compressedBytes.toLocaleString('en-US'), num: true },
      { title: 'ratio', get: (r) => (r.ratio === null ? '–' : `${r.ratio}×`), num: true },
      { title: 'L1 tx', get: (r) => hash(r.l1TxHash) },
      { title: 'L1 block', get: (r) => r.l1Block, num: true },
      { title: 'lag', get: (r) => (r.lagMs === null ? '–' : `${(r.lagMs / 1000).toFixed(1)} s`), num: true },
    ],
    rows,
    (r) => ({ 'data-seq': r.seq }),
    'no batch posted yet',
  );
}

export function governanceTable(table, rows, nowMs) {
  render(
    table,
    [
      { title: '#', get: (r) => r.index, num: true },
      { title: 'kind', get: (r) => r.kind },
      { title: 'proposal', get: (r) => hash(r.proposalId) },
      {
        title: 'changes',
        get: (r) => r.changes.map((c) => `${c.name} ${c.from}→${c.to}`).join(', ') || r.cancelledStatus || '',
      },
      { title: 'from slot', get: (r) => r.activationSlot, num: true },
      { title: 'version', get: (r) => r.version, num: true },
      { title: 'signers', get: (r) => r.signers.length, num: true },
      { title: 'decided', get: (r) => ago(r.at, nowMs) },
    ],
    rows,
    (r) => ({ 'data-proposal': r.proposalId }),
    'no governance decision yet',
  );
}
