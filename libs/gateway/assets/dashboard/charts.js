// The dashboard's time series, drawn with uPlot (served by the gateway from node_modules, loaded
// as the global `uPlot`). Each chart is made once and given new data on every refresh.

const AXIS = { stroke: '#8593a3', grid: { stroke: '#26303b', width: 1 }, ticks: { stroke: '#26303b' } };
const COLORS = ['#4fb3ff', '#f0b429', '#4cc38a', '#ef5b5b'];
/** Tick steps for whole numbers (block and batch numbers, counts): never 0.5. */
const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000, 1000000];

function series(label, i, scale, extra = {}) {
  return { label, stroke: COLORS[i], width: 2, scale, points: { show: false }, ...extra };
}
/** A series with gaps (slots without a winner): its points drawn, so a lone value shows. */
const dotted = { points: { show: true, size: 5 } };

/** A chart in `el` with x = `xLabel` (not time) and the given series; two scales when `right` is set. */
function chart(el, xLabel, list, right) {
  const axes = [
    { ...AXIS, label: xLabel, incrs: WHOLE },
    { ...AXIS, scale: list[0].scale, size: 60, ...(list[0].whole ? { incrs: WHOLE } : {}) },
  ];
  if (right) axes.push({ ...AXIS, scale: right, side: 1, size: 80, grid: { show: false } });
  const opts = {
    width: Math.max(300, el.clientWidth),
    height: 200,
    scales: { x: { time: false } },
    series: [{ label: xLabel }, ...list],
    axes,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
  return new uPlot(opts, [[], ...list.map(() => [])], el);
}

export class Charts {
  constructor(root) {
    this.txs = chart(root.querySelector('#chart-txs'), 'block', [series('txs', 0, 'n', { fill: 'rgba(79,179,255,0.15)', whole: true })]);
    this.gas = chart(root.querySelector('#chart-gas'), 'block', [series('gas used', 2, 'gas', { fill: 'rgba(76,195,138,0.15)' })]);
    this.auction = chart(
      root.querySelector('#chart-auction'),
      'slot',
      [series('bids', 0, 'n', { whole: true }), series('clearing price (gwei)', 1, 'gwei', dotted)],
      'gwei',
    );
    this.batches = chart(
      root.querySelector('#chart-batches'),
      'batch',
      [series('bytes before', 0, 'bytes'), series('bytes after', 2, 'bytes'), series('lag (s)', 3, 's', dotted)],
      's',
    );
    this.all = [this.txs, this.gas, this.auction, this.batches];
    window.addEventListener('resize', () => this.resize());
  }

  resize() {
    for (const c of this.all) c.setSize({ width: Math.max(300, c.root.parentElement.clientWidth), height: 200 });
  }

  /** Slot records come newest first; uPlot wants x ascending. */
  slots(rows) {
    const asc = [...rows].reverse();
    const x = asc.map((r) => r.block);
    this.txs.setData([x, asc.map((r) => r.txs)]);
    this.gas.setData([x, asc.map((r) => r.gasUsed)]);
    this.auction.setData([
      x,
      asc.map((r) => r.bids),
      asc.map((r) => (r.clearingPrice === null ? null : Number(BigInt(r.clearingPrice)) / 1e9)),
    ]);
  }

  batchRows(rows) {
    const asc = [...rows].reverse();
    this.batches.setData([
      asc.map((r) => r.seq),
      asc.map((r) => r.rawBytes),
      asc.map((r) => r.compressedBytes),
      asc.map((r) => (r.lagMs === null ? null : r.lagMs / 1000)),
    ]);
  }
}
