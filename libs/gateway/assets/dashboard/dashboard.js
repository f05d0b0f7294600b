// The dashboard's loop: the open slot from /data/v1/status every second (the countdown runs in
// between), and the sealed records (blocks, auction, commitments, batches, governance) whenever
// the sealed head moves, and every few seconds besides. It shows only what the data API answers.
import { Charts } from './charts.js';
import {
  batchesTable,
  bidsTable,
  blocksTable,
  commitmentsTable,
  governanceTable,
  refundsTable,
  winnersTable,
} from './tables.js';

const POLL_MS = 1000;
/** The lists are read again at least this often, for what moves without the head (batches). */
const LISTS_MS = 4000;

const $ = (id) => document.getElementById(id);

const state = {
  status: null,
  /** Server clock minus ours, from the last status. */
  skewMs: 0,
  head: -1,
  listsAt: 0,
  charts: null,
};

async function get(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(`${path}: HTTP ${res.status} ${body.code ?? ''}`);
  }
  return res.json();
}

function showStatus(s) {
  $('slot-number').textContent = s.slot;
  $('sealed-head').textContent = s.sealedHead;
  $('sealed-head').title = s.sealedHash ?? '';
  $('slot-times').textContent = `${s.slotMs} / ${s.closeOffsetMs} ms`;
  $('params-version').textContent = `v${s.paramsVersion}`;
  $('poster-lag').textContent =
    s.posterLagBlocks === null ? 'no poster' : `${s.posterLagBlocks} blocks (${s.posterInFlight} in flight)`;
  const intake = $('intake');
  intake.textContent = s.intakePaused ? 'paused' : 'open';
  intake.className = s.intakePaused ? 'value down' : 'value';
}

const PHASES = ['open', 'closed', 'sealing'];

/**
 * The countdown to the open slot's close, then to its end, by the server's clock. Between two
 * polls the phase moves on by the slot's times (never back): the next status says what it is.
 */
function tick() {
  const s = state.status;
  if (!s) return;
  const now = Date.now() + state.skewMs;
  const byTime = now >= s.endMs ? 'sealing' : now >= s.closeMs ? 'closed' : 'open';
  const phase = PHASES[Math.max(PHASES.indexOf(s.phase), PHASES.indexOf(byTime))];
  const el = $('slot-phase');
  el.textContent = phase === 'closed' ? 'closed (clearing)' : phase;
  el.className = `value phase phase-${phase}`;
  el.dataset.phase = phase;
  const left = Math.max(0, (phase === 'open' ? s.closeMs : s.endMs) - now);
  $('countdown-label').textContent = phase === 'open' ? 'closes in' : phase === 'closed' ? 'sealed in' : 'sealing';
  $('slot-countdown').textContent = phase === 'sealing' ? '…' : `${(left / 1000).toFixed(1)} s`;
}

async function refreshLists(nowMs) {
  const [slots, winners, bids, refunds, commitments, batches, governance] = await Promise.all([
    get('/data/v1/slots?limit=60'),
    get('/data/v1/winners?limit=50'),
    get('/data/v1/bids?limit=50'),
    get('/data/v1/refunds?limit=50'),
    get('/data/v1/commitments?limit=50'),
    get('/data/v1/batches?limit=50'),
    get('/data/v1/governance?limit=20'),
  ]);
  blocksTable($('blocks-table'), slots, nowMs);
  winnersTable($('winners-table'), winners);
  bidsTable($('bids-table'), bids);
  refundsTable($('refunds-table'), refunds);
  commitmentsTable($('commitments-table'), commitments);
  batchesTable($('batches-table'), batches);
  governanceTable($('governance-table'), governance, nowMs);
  state.charts.slots(slots);
  state.charts.batchRows(batches);
}

async function poll() {
  try {
    const s = await get('/data/v1/status');
    state.status = s;
    state.skewMs = s.nowMs - Date.now();
    showStatus(s);
    tick();
    if (s.sealedHead !== state.head || Date.now() - state.listsAt >= LISTS_MS) {
      await refreshLists(s.nowMs);
      state.head = s.sealedHead;
      state.listsAt = Date.now();
      document.body.dataset.head = String(s.sealedHead);
    }
    $('connection').textContent = 'live';
    $('connection').className = 'value';
  } catch (e) {
    $('connection').textContent = 'unreachable';
    $('connection').className = 'value down';
    console.warn(e instanceof Error ? e.message : e);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

state.charts = new Charts(document);
setInterval(tick, 100);
void poll();
