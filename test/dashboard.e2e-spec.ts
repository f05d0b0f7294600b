/**
 * The public data API and the dashboard end to end: a Sealane with the gateway, the builder and
 * the poster; public transfers, a winning bundle and a private transaction go in; the data API
 * answers their records in shape (bad queries 400 with a code, nothing above the sealed head),
 * and headless Chromium shows them live on the dashboard, without console errors or failed
 * requests, while a bundle for a block not yet sealed is nowhere. Screenshot: .data/dashboard.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SealaneClient } from '@sealane/sdk';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, transfer, waitFor, wallet } from './support/rpc';
import { coinbaseBid, sendBundle } from './support/searcher';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '..', '.data', 'dashboard.png');
/** How far ahead the bundle that must stay hidden is sent (at most 100, MAX_SLOTS_AHEAD): 47 s at 500 ms slots, for every check. */
const FUTURE_SLOTS = 95;

/** What the chart check reads of a canvas (the tests compile without the DOM's types). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}

describe('data API and dashboard (e2e)', () => {
  let s: Sealane;
  let url: string;
  let browser: Browser | undefined;
  const sent = {
    bundle: '',
    loser: '',
    bundleBlock: 0,
    future: '',
    futureBlock: 0,
    commitment: '',
    commitmentSlot: 0,
  };

  const get = async <T = unknown>(path: string) => {
    const res = await fetch(url + path);
    return { status: res.status, headers: res.headers, body: (await res.json()) as T };
  };
  const head = async () => (await get<{ sealedHead: number }>('/data/v1/status')).body.sealedHead;
  /** A transfer to the fee recipient (the sequencer, dev key 0): what a bundle bids. */
  const payFeeRecipient = (key: number, nonce: number, value = 10n ** 15n) => coinbaseBid(key, nonce, value);

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: install Debian's package (sudo apt-get install -y chromium), ` +
          'or run `node scripts/bootstrap.js --browser`, which npm test runs first',
      );
    s = await startSealane({
      env: {
        COMPONENTS: 'gateway,builder,poster',
        GATEWAY_PORT: '0',
        // Critical-value pricing: the winner pays what it took to beat the loser, refunded the rest.
        GENESIS_PARAMS: JSON.stringify({ slotMs: 500, auctionPricing: 1, batchMaxDelayMs: 1000 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
    await waitFor('the first sealed blocks', async () => (await head()) >= 2);
    for (let n = 0; n < 3; n++) await rpc(url, 'eth_sendRawTransaction', [await transfer(1, n)]);
    sent.bundleBlock = (await head()) + 2;
    // Two searchers bid with one sender's same transaction slot: they conflict, one wins.
    sent.bundle = await sendBundle(url, 4, [await payFeeRecipient(6, 0)], sent.bundleBlock);
    sent.loser = await sendBundle(url, 2, [await payFeeRecipient(6, 0, 10n ** 14n)], sent.bundleBlock);
    sent.futureBlock = (await head()) + FUTURE_SLOTS;
    sent.future = await sendBundle(url, 3, [await payFeeRecipient(3, 0)], sent.futureBlock);
    const priv = await new SealaneClient(url).sendPrivateTransaction(wallet(5), {
      to: wallet(9).address,
      value: 1n,
      gasLimit: 21_000n,
    });
    expect(priv.status.state).toBe('included');
    sent.commitment = priv.commitment;
    sent.commitmentSlot = priv.slot;
    await waitFor('the bundle sealed', async () => (await head()) >= sent.bundleBlock);
  });

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('answers flat records of sealed slots, refuses bad queries with a code, and shows nothing above the head', async () => {
    const st = await get<Record<string, unknown>>('/data/v1/status');
    expect(st.status).toBe(200);
    expect(st.headers.get('access-control-allow-origin')).toBe('*');
    expect(st.body).toMatchObject({
      slot: (st.body.sealedHead as number) + 1,
      paramsVersion: 0,
      slotMs: 500,
    });
    expect(['open', 'closed', 'sealing']).toContain(st.body.phase);
    expect(st.body.startMs as number).toBeLessThanOrEqual(st.body.closeMs as number);
    expect(st.body.closeMs as number).toBeLessThanOrEqual(st.body.endMs as number);

    const slots = await get<Record<string, unknown>[]>('/data/v1/slots?limit=3');
    const after = await head();
    expect(slots.body).toHaveLength(3);
    expect(slots.body.map((r) => r.slot)).toEqual(
      [...slots.body.map((r) => r.slot)].sort((a, b) => +b! - +a!),
    );
    expect(slots.body[0].slot as number).toBeLessThanOrEqual(after);
    expect(slots.headers.get('x-next-cursor')).toBe(String((slots.body[2].slot as number) - 1));
    expect(Object.keys(slots.body[0]).sort()).toEqual(
      [
        'bids',
        'bidsRoot',
        'block',
        'builder',
        'clearingPrice',
        'commitments',
        'commitmentsExpired',
        'commitmentsIncluded',
        'commitmentsSkipped',
        'endMs',
        'gasLimit',
        'gasUsed',
        'hash',
        'orderRoot',
        'paid',
        'paramsVersion',
        'parentHash',
        'refunded',
        'slot',
        'startMs',
        'timestamp',
        'txs',
        'winners',
      ].sort(),
    );

    const [block] = (await get<Record<string, unknown>[]>(`/data/v1/slots?slot=${sent.bundleBlock}`)).body;
    expect(block).toMatchObject({ slot: sent.bundleBlock, winners: 1, bids: 2 });
    const engineBlock = await rpc<{ hash: string; gasUsed: string }>(url, 'eth_getBlockByNumber', [
      '0x' + sent.bundleBlock.toString(16),
      false,
    ]);
    expect(block).toMatchObject({ hash: engineBlock.hash, gasUsed: Number(engineBlock.gasUsed) });

    const winners = (await get<Record<string, unknown>[]>(`/data/v1/winners?slot=${sent.bundleBlock}`)).body;
    expect(winners).toEqual([
      expect.objectContaining({
        bundleHash: sent.bundle,
        searcher: wallet(4).address.toLowerCase(),
        priceSetBy: sent.loser,
        refundTxHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      }),
    ]);
    const [w] = winners as { value: string; price: string; refund: string }[];
    expect(BigInt(w.value)).toBeGreaterThan(BigInt(w.price));
    expect(BigInt(w.refund)).toBe(BigInt(w.value) - BigInt(w.price));
    expect(block.clearingPrice).toBe(w.price);
    const bids = (await get<Record<string, unknown>[]>(`/data/v1/bids?slot=${sent.bundleBlock}`)).body;
    expect(bids).toEqual([
      expect.objectContaining({ bundleHash: sent.bundle, rank: 1, won: true, bidsRoot: block.bidsRoot }),
      expect.objectContaining({ bundleHash: sent.loser, rank: 2, won: false, state: 'lost', price: null }),
    ]);
    // The winner paid the least value that still beat the loser's bid.
    expect(BigInt(w.price)).toBeGreaterThanOrEqual(BigInt(bids[1].value as string));
    const refunds = await get<Record<string, unknown>[]>(`/data/v1/refunds?searcher=${wallet(4).address}`);
    expect(refunds.body.map((r) => r.bundleHash)).toContain(sent.bundle);
    expect((await get<unknown[]>(`/data/v1/refunds?searcher=${wallet(7).address}`)).body).toEqual([]);

    const commitments = await get<Record<string, unknown>[]>(
      `/data/v1/commitments?slot=${sent.commitmentSlot}`,
    );
    expect(commitments.body).toEqual([
      expect.objectContaining({
        commitment: sent.commitment,
        state: 'included',
        sender: wallet(5).address.toLowerCase(),
      }),
    ]);
    expect(commitments.body[0]).not.toHaveProperty('ciphertext');

    const batches = await waitFor('a posted batch', async () => {
      const b = (await get<Record<string, unknown>[]>('/data/v1/batches?limit=5')).body;
      return b.length ? b : undefined;
    });
    expect(batches[0]).toMatchObject({
      seq: expect.any(Number),
      l1TxHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      l1Block: expect.any(Number),
      rawBytes: expect.any(Number),
      compressedBytes: expect.any(Number),
    });
    expect(batches[0].lastBlock as number).toBeLessThanOrEqual(await head());
    expect((await get('/data/v1/governance')).body).toEqual([]);

    // The bundle for a block not sealed yet is nowhere, whichever way it is asked for.
    const before = await head();
    expect(before).toBeLessThan(sent.futureBlock);
    for (const q of [`bids?slot=${sent.futureBlock}`, `winners?from=${sent.futureBlock}`, 'bids?limit=200']) {
      const r = await get<Record<string, unknown>[]>(`/data/v1/${q}`);
      expect(r.body.map((b) => b.bundleHash)).not.toContain(sent.future);
    }
    const ahead = (await get<{ slot: number }[]>(`/data/v1/slots?cursor=${sent.futureBlock}&limit=1`)).body;
    expect(ahead[0].slot).toBeLessThanOrEqual(await head());
    expect(await head()).toBeLessThan(sent.futureBlock);

    const bad: [string, number, string][] = [
      ['slots?limit=0', 400, 'bad-limit'],
      ['slots?limit=201', 400, 'bad-limit'],
      ['bids?slot=abc', 400, 'bad-param'],
      ['bids?slot=0x10', 400, 'bad-param'],
      ['bids?slot=1&cursor=2', 400, 'bad-range'],
      ['winners?from=9&to=3', 400, 'bad-range'],
      ['winners?foo=1', 400, 'unknown-param'],
      ['status?slot=1', 400, 'unknown-param'],
      ['refunds?searcher=0x1234', 400, 'bad-param'],
      ['slots?cursor=1&cursor=2', 400, 'bad-param'],
      ['nope', 404, 'not-found'],
    ];
    for (const [q, status, code] of bad) {
      const r = await get<{ code: string; message: string }>(`/data/v1/${q}`);
      expect([q, r.status, r.body.code]).toEqual([q, status, code]);
      expect(typeof r.body.message).toBe('string');
    }
  });

  it('shows the live auction, commitments, blocks and batches in Chromium, and nothing unsealed', async () => {
    // launch() (not a persistent context) gives the browser a fresh profile of its own.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page: Page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    page.setDefaultTimeout(60_000);

    await page.goto(url + '/', { waitUntil: 'load' });
    const slotNumber = page.getByTestId('slot-number');
    // Polled from here: the page's policy (script-src 'self') forbids Playwright's string evaluation.
    const shown = async () => Number((await slotNumber.textContent()) || NaN);
    const first = await waitFor('a slot number', async () =>
      Number.isInteger(await shown()) ? shown() : undefined,
    );
    await waitFor('the slot number advancing', async () => (await shown()) > first, 60_000);
    await page.waitForSelector(`[data-testid="winners-table"] tr[data-bundle-hash="${sent.bundle}"]`);
    await page.waitForSelector(`[data-testid="bids-table"] tr[data-bundle-hash="${sent.bundle}"]`);
    await page.waitForSelector(
      `[data-testid="commitments-table"] tr[data-commitment="${sent.commitment}"][data-state="included"]`,
    );
    await page.waitForSelector('[data-testid="blocks-table"] tr[data-block]');
    await page.waitForSelector('[data-testid="batches-table"] tr[data-seq]');
    expect(await page.getByTestId('slot-phase').getAttribute('data-phase')).toMatch(
      /^(open|closed|sealing)$/,
    );
    // A chart is drawn: its canvas has pixels that are not blank.
    const drawn = (c: Canvas) => {
      if (c.width === 0) return false;
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return true;
      return false;
    };
    await waitFor(
      'a chart drawn',
      () => page.locator('[data-testid="chart-txs"] canvas').evaluate(drawn),
      60_000,
    );

    // The page refreshed after the bundle sealed, and the future block is still not sealed.
    const shownHead = Number(await page.locator('body').getAttribute('data-head'));
    expect(shownHead).toBeGreaterThanOrEqual(sent.bundleBlock);
    expect(await page.locator(`[data-bundle-hash="${sent.future}"]`).count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain(sent.future.slice(0, 8));
    expect(await head()).toBeLessThan(sent.futureBlock);

    mkdirSync(join(__dirname, '..', '.data'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
  });
});
