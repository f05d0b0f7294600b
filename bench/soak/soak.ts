/**
 * `npm run soak`: Sealane as separate processes (1 gateway, 2 builders, 1 poster) on a real Redis
 * and two anvils, under public, bundle and private load, with random faults (SIGKILL of every
 * kind of process, Redis restarts, L1 frozen); then a drain and checks that every acknowledged
 * item ended final and agrees with the chain, every slot has its published record, `sealane
 * audit` is clean, the batches on L1 have no gap or duplicate, and `verify` passes.
 *
 *   npm run soak -- [--duration 300] [--faults 20] [--seed N] [--slot-ms 2000]
 *
 * Prints a table (one row per check and per fault kind) and one summary line; exits 0 only when
 * every check passes. Not part of `npm test`: it takes minutes and is a measurement of the whole.
 */
import {
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, NonceManager, Wallet, type EventLog } from 'ethers';
import Redis from 'ioredis';
import { DEV_KEYS } from '@sealane/config';
import { deployInbox, inboxContract } from '@sealane/contracts';
import { encodeGenesis } from '@sealane/engine';
import { freePort } from '@sealane/embedded';
import { deriveChain, formatReplicaReport } from '@sealane/derive';
import { verifyChain, formatVerifyReport } from '@sealane/poster';
import { SealaneClient, searcherCall } from '@sealane/sdk';
import { auditCli } from '../../apps/sealane/src/commands/audit';
import { derivedKeys } from '../support';
import { FAULT_KINDS, planFaults, type FaultKind, type PlannedFault } from './faults';
import { BundleLoad, L2_CHAIN_ID, PrivateLoad, PublicLoad, type AckedTx } from './load';
import {
  kill,
  killAll,
  MAIN,
  newInfra,
  removeDir,
  rpcBatch,
  rpcCall,
  startAnvils,
  startL2,
  startProc,
  startRedis,
  type Infra,
  type Proc,
} from './procs';

const PREFIX = 'soak';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Options {
  duration: number;
  faults: number;
  seed: number;
  slotMs: number;
  rate: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    duration: 300,
    faults: 20,
    seed: Math.floor(Math.random() * 2 ** 31),
    slotMs: 2000,
    rate: 20,
  };
  const names: Record<string, keyof Options> = {
    '--duration': 'duration',
    '--faults': 'faults',
    '--seed': 'seed',
    '--slot-ms': 'slotMs',
    '--rate': 'rate',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const k = names[flag];
    const v = Number(inline ?? argv[++i]);
    if (!k || !Number.isFinite(v) || v < 0) {
      console.error(
        `usage: npm run soak -- [--duration S] [--faults N] [--seed N] [--slot-ms MS] [--rate TX_PER_S]`,
      );
      process.exit(2);
    }
    o[k] = v;
  }
  if (o.slotMs < 250) throw new Error('--slot-ms must be at least 250 (the slotMs parameter range)');
  return o;
}

const log = (msg: string) =>
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function tail(file: string, bytes = 1500): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    closeSync(fd);
    return buf.toString();
  } catch {
    return '';
  }
}

/** One Sealane component process, restartable, that notices when it dies without being killed. */
class Component {
  proc?: Proc;
  private killing = false;
  readonly crashes: { at: number; status: string; tail: string }[] = [];
  starts = 0;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    private readonly dir: string,
    private readonly clock: () => number,
    private readonly ending: () => boolean,
  ) {}

  get logFile(): string {
    return join(this.dir, `${this.name}.log`);
  }

  start(): void {
    this.killing = false;
    this.starts++;
    const p = startProc(this.name, process.execPath, [MAIN], { ...process.env, ...this.env }, this.logFile);
    this.proc = p;
    void p.exited.then(() => {
      if (this.killing || this.ending() || this.proc !== p) return;
      // Died on its own: a finding. Restart it, as a supervisor would, so the soak goes on.
      this.crashes.push({ at: this.clock(), status: p.exit() ?? '?', tail: tail(this.logFile) });
      log(`${this.name} exited on its own (${p.exit()}); restarting`);
      setTimeout(() => !this.ending() && this.start(), 1000);
    });
  }

  async stop(signal: NodeJS.Signals): Promise<string | null> {
    this.killing = true;
    await kill(this.proc, signal);
    return this.proc?.exit() ?? null;
  }
}

interface FaultRecord extends PlannedFault {
  target: string;
  startedAt: number;
  head: number;
  error?: string;
  /** For an L1 freeze: seconds from the restore until the Inbox covers the head at the restore. */
  catchUp?: number;
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  evidence: string[];
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'sealane-soak-'));
  let ending = false;
  const cleanup = () => {
    ending = true;
    killAll();
    removeDir(dir);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      log(`${sig}: stopping every process and removing ${dir}`);
      cleanup();
      process.exit(130);
    });
  // Also on an uncaught error: nothing of the soak may outlive it.
  process.once('exit', () => {
    killAll();
    removeDir(dir);
  });
  try {
    return await soak(opts, dir, () => ending);
  } finally {
    cleanup();
  }
}

async function soak(opts: Options, dir: string, ending: () => boolean): Promise<number> {
  log(`seed ${opts.seed}: replay with --seed ${opts.seed}; data in ${dir}`);
  const plan = planFaults(opts.faults, opts.duration, opts.seed);
  const infra: Infra = await newInfra(dir);
  // The load's accounts are funded in the L2 genesis: state set on the engine outside of blocks
  // (anvil_setBalance) is not in the chain, so no replica and no rebuild could reproduce it.
  const publicKeys = derivedKeys('soak public', 40);
  const searchers = derivedKeys('soak searcher', 3).map((k) => new Wallet(toHexKey(k.key)));
  const users = derivedKeys('soak private', 3).map((k) => new Wallet(toHexKey(k.key)));
  const funded = [
    ...publicKeys.map((k) => k.address),
    ...searchers.map((w) => w.address),
    ...users.map((w) => w.address),
  ];
  await startRedis(infra);
  await startAnvils(infra, L2_CHAIN_ID, 30_000_000, funded);
  const l1 = new JsonRpcProvider(infra.l1Url, undefined, { staticNetwork: true, pollingInterval: 200 });
  const poster = new Wallet(DEV_KEYS[0], l1);
  const genesisBlock = await new JsonRpcProvider(infra.l2Url, undefined, { staticNetwork: true }).getBlock(0);
  const inboxAddress = await deployInbox(new NonceManager(poster), {
    poster: poster.address,
    firstBlock: 1n,
    genesisHash: genesisBlock!.hash!,
    genesisConfig: encodeGenesis(infra.genesis!),
  });
  log(`redis ${infra.redisUrl}, L2 ${infra.l2Url}, L1 ${infra.l1Url}, inbox ${inboxAddress}`);

  const gatewayPort = await freePort();
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  const shared = {
    KEY_PREFIX: PREFIX,
    REDIS_URL: infra.redisUrl,
    L2_RPC_URL: infra.l2Url,
    L1_RPC_URL: infra.l1Url,
    INBOX_ADDRESS: inboxAddress,
    // Critical pricing: winners pay less than they bid, so refunds are exercised.
    // A reveal window wider than the default 100 ms: on 2 loaded cores most SDK reveals would
    // otherwise arrive late, and the private lane would be tested only for expiries.
    GENESIS_PARAMS: JSON.stringify({
      slotMs: opts.slotMs,
      auctionPricing: 1,
      batchMaxDelayMs: 4 * opts.slotMs,
      auctionCloseOffsetMs: closeOffset(opts.slotMs),
      revealWindowMs: Math.floor(closeOffset(opts.slotMs) * 0.6),
    }),
    LOG_LEVEL: 'log',
    RECOVERY_THREADS: '1',
  };
  const t0 = Date.now();
  const clock = () => (Date.now() - t0) / 1000;
  const comps = {
    gateway: new Component(
      'gateway',
      { ...shared, COMPONENTS: 'gateway', GATEWAY_PORT: String(gatewayPort) },
      dir,
      clock,
      ending,
    ),
    'builder-a': new Component(
      'builder-a',
      { ...shared, COMPONENTS: 'builder', BUILDER_ID: 'builder-a' },
      dir,
      clock,
      ending,
    ),
    'builder-b': new Component(
      'builder-b',
      { ...shared, COMPONENTS: 'builder', BUILDER_ID: 'builder-b' },
      dir,
      clock,
      ending,
    ),
    poster: new Component('poster', { ...shared, COMPONENTS: 'poster' }, dir, clock, ending),
  };
  const redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 2, retryStrategy: () => 200 });
  redis.on('error', () => undefined);
  const rget = async (k: string): Promise<string | null> => {
    try {
      return await redis.get(`${PREFIX}:${k}`);
    } catch {
      return null;
    }
  };
  const engineHead = async (): Promise<number> => {
    for (;;) {
      try {
        return Number(await rpcCall<string>(infra.l2Url, 'eth_blockNumber', [], 5000));
      } catch {
        await sleep(200);
      }
    }
  };

  comps.gateway.start();
  await waitFor(
    'the gateway',
    60_000,
    async () => (await rpcCall<string>(gateway, 'eth_chainId', [], 2000)) !== null,
  );
  comps['builder-a'].start();
  await waitFor('builder-a to lead', 60_000, async () => (await rget('lease:builder')) === 'builder-a');
  comps['builder-b'].start();
  comps.poster.start();
  await waitFor('the first sealed block', 60_000, async () => (await engineHead()) >= 1);
  const info = await new SealaneClient(gateway).mempoolInfo();
  log(
    `all components up; fee recipient ${info.feeRecipient}; load for ${opts.duration} s, ${plan.length} faults`,
  );

  const inbox = inboxContract(inboxAddress, l1);

  // Load.
  let stopping = false;
  const ctx = {
    gateway,
    clock,
    head: engineHead,
    slotMs: opts.slotMs,
    stopping: () => stopping,
    feeRecipient: info.feeRecipient,
  };
  const pub = new PublicLoad(ctx, publicKeys, opts.rate);
  const bundles = new BundleLoad(ctx, searchers);
  const priv = new PrivateLoad(ctx, users);
  const loadStart = clock();
  const loads = Promise.all([pub.run(), bundles.run(), priv.run()]);
  // The head over time, to report the longest stretch without a new block (and what preceded it).
  const heads: { at: number; head: number }[] = [];
  const sampler = setInterval(() => {
    void rpcCall<string>(infra.l2Url, 'eth_blockNumber', [], 2000).then(
      (h) => heads.push({ at: clock(), head: Number(h) }),
      () => undefined,
    );
  }, 250);

  // Faults: each at its time (or when the previous fault on its target is over).
  const done: FaultRecord[] = [];
  const busy = new Map<string, Promise<void>>();
  const faultRuns: Promise<void>[] = [];
  for (const f of plan) {
    const wait = (loadStart + f.at - clock()) * 1000;
    if (wait > 0) await sleep(wait);
    // Faults on one target run one after the other; the two builders count as one target, so
    // that a builder fault picks the leader or the standby only once the previous one is over.
    const key = f.kind.includes('builder') ? 'builders' : f.kind;
    const run = (busy.get(key) ?? Promise.resolve()).then(async () =>
      inject(f, await resolveTarget(f.kind, rget)),
    );
    busy.set(key, run);
    faultRuns.push(run);
  }
  async function inject(f: PlannedFault, target: string): Promise<void> {
    const rec: FaultRecord = { ...f, target, startedAt: clock(), head: await engineHead() };
    done.push(rec);
    log(
      `fault: ${f.kind} (${target}) at ${rec.startedAt.toFixed(1)} s, head ${rec.head}, for ${f.downFor} s`,
    );
    try {
      if (f.kind === 'freeze L1') {
        await rpcCall(infra.l1Url, 'evm_setIntervalMining', [0]);
        await sleep(f.downFor * 1000);
        await rpcCall(infra.l1Url, 'evm_setIntervalMining', [1]);
        const restoredAt = clock();
        const h = await engineHead();
        void waitFor('the poster to catch up', 600_000, async () => Number(await inbox.nextBlock()) > h).then(
          () => (rec.catchUp = clock() - restoredAt),
          () => undefined,
        );
      } else if (f.kind === 'kill L2 engine') {
        // The engine comes back empty, from the same genesis: the leader rebuilds it from its records.
        await kill(infra.l2, 'SIGKILL');
        await sleep(f.downFor * 1000);
        await startL2(infra);
      } else if (f.kind === 'restart redis') {
        await kill(infra.redis, 'SIGKILL');
        await sleep(f.downFor * 1000);
        await startRedis(infra);
      } else {
        const c = comps[target.split(' ')[0] as keyof typeof comps];
        await c.stop('SIGKILL');
        await sleep(f.downFor * 1000);
        c.start();
      }
    } catch (e) {
      rec.error = String(e);
      log(`fault ${f.kind} failed: ${rec.error}`);
    }
  }
  const loadEnd = loadStart + opts.duration;
  if (clock() < loadEnd) await sleep((loadEnd - clock()) * 1000);
  await Promise.all(faultRuns);
  log('load stopping; waiting for the clients');
  stopping = true;
  await loads;
  clearInterval(sampler);
  const loadSeconds = clock() - loadStart;

  // Drain: every acknowledged item final, then stop the builders and let the poster post the head.
  log(
    `drain: ${pub.acked.length} tx, ${bundles.acked.length} bundles, ${priv.acked.length} commitments acknowledged`,
  );
  const drainDeadline = Date.now() + Math.max(120_000, 30 * opts.slotMs);
  await waitFor('every acknowledged item final', drainDeadline - Date.now(), async () => {
    const st = await rpcBatch<{ status: string } | null>(
      gateway,
      pub.acked.map((t) => ['sealane_getTransactionStatus', [t.hash]]),
    );
    if (st.some((s) => !s || s.status === 'pending')) return false;
    const cs = await rpcBatch<{ state: string } | null>(
      gateway,
      priv.acked.map((c) => ['sealane_getCommitmentStatus', [c.commitment]]),
    );
    if (cs.some((s) => !s || !['included', 'skipped', 'expired'].includes(s.state))) return false;
    const head = await engineHead();
    return bundles.acked.every((b) => b.target < head);
  }).catch((e: unknown) => log(String(e)));
  await Promise.all([comps['builder-a'].stop('SIGTERM'), comps['builder-b'].stop('SIGTERM')]);
  const head = await engineHead();
  log(`builders stopped at head ${head}; waiting for the poster to post it`);
  await waitFor('the poster to post the head', Math.max(120_000, 20 * opts.slotMs), async () => {
    return Number(await inbox.nextBlock()) > head;
  }).catch((e: unknown) => log(String(e)));

  // Checks.
  log('checking');
  const checks: Check[] = [];
  const faultBefore = (at: number): string => {
    const f = [...done].reverse().find((x) => x.startedAt <= at);
    return f
      ? `; last fault before: ${f.kind} (${f.target}) at ${f.startedAt.toFixed(1)} s, head ${f.head}`
      : '';
  };
  /** The faults injected while the head was near `slot` (its slot was open or about to be). */
  const faultAround = (slot: number): string => {
    const fs = done.filter((x) => x.head >= slot - 3 && x.head <= slot);
    return fs.length
      ? `; faults at heads ${slot - 3}..${slot}: ${fs.map((f) => `${f.kind} (${f.target}) at head ${f.head}, ${f.startedAt.toFixed(1)} s`).join('; ')}`
      : '';
  };
  const check = (name: string, bad: string[], detail: string) =>
    checks.push({
      name,
      ok: bad.length === 0,
      detail: bad.length ? `${bad.length} failing; ${detail}` : detail,
      evidence: bad,
    });

  // Public transactions.
  type Receipt = { blockNumber: string; transactionIndex: string; status: string } | null;
  const receipts = async (hashes: string[]) =>
    rpcBatch<Receipt>(
      infra.l2Url,
      hashes.map((h) => ['eth_getTransactionReceipt', [h]]),
    );
  type Status = { status: string; block?: number; index?: number; reason?: string } | null;
  const pubReceipts = await receipts(pub.acked.map((t) => t.hash));
  const pubStatus = await rpcBatch<Status>(
    gateway,
    pub.acked.map((t) => ['sealane_getTransactionStatus', [t.hash]]),
  );
  const lost: string[] = [];
  const contradictions: string[] = [];
  const skippedValid: string[] = [];
  let included = 0;
  pub.acked.forEach((t: AckedTx, i) => {
    const r = pubReceipts[i];
    const s = pubStatus[i];
    const rb = pub.rebroadcastOf.get(t.hash);
    const who = `tx ${t.hash} (${t.from} nonce ${t.nonce}, acknowledged at ${t.at.toFixed(1)} s${faultBefore(t.at)}${rb ? `; ${rb}` : ''})`;
    if (r) {
      included++;
      const at = { block: Number(r.blockNumber), index: Number(r.transactionIndex) };
      if (!s || s.status !== 'included' || s.block !== at.block || s.index !== at.index)
        contradictions.push(
          `${who}: receipt in block ${at.block} index ${at.index}, status ${JSON.stringify(s)}`,
        );
    } else if (!s || s.status === 'pending') lost.push(`${who}: no receipt, status ${JSON.stringify(s)}`);
    else if (s.status === 'included')
      contradictions.push(`${who}: status ${JSON.stringify(s)} but no receipt`);
    else skippedValid.push(`${who}: ${JSON.stringify(s)}`);
  });
  check(
    'public: every acknowledged tx final',
    lost,
    `${pub.acked.length} acknowledged, ${included} with a receipt`,
  );
  check(
    'public: status agrees with the chain',
    contradictions,
    'receipt <=> included at the same block and index',
  );
  // Every transfer the load sends is valid when sent (funded sender, next nonce, one tx per nonce),
  // so a skip of an acknowledged one is a lost transaction, whatever reason it records.
  check('public: no acknowledged valid tx skipped', skippedValid, 'the load only sends valid transfers');
  const maybeReceipts = await receipts(pub.maybe.map((t) => t.hash));
  const maybeIn = maybeReceipts.filter(Boolean).length;

  // Bundles.
  const bundleBad: string[] = [];
  const bundleContra: string[] = [];
  const bundleStates = new Map<string, number>();
  const includedByBlock = new Map<number, Set<string>>();
  const bstatus: { state: string; block?: number; refundTxHash?: string; reason?: string }[] = [];
  for (const b of bundles.acked) {
    const a = await signedRpc<{ state: string; block?: number; refundTxHash?: string; reason?: string }>(
      gateway,
      b.searcher,
      'sealane_getBundleStatus',
      [b.bundleHash],
    ).catch((e: unknown) => ({ state: `unreadable: ${String(e)}` }) as { state: string; block?: number });
    bstatus.push(a);
    bundleStates.set(a.state, (bundleStates.get(a.state) ?? 0) + 1);
    if (a.state === 'included') {
      if (!includedByBlock.has(b.target)) includedByBlock.set(b.target, new Set());
      for (const h of b.txHashes) includedByBlock.get(b.target)!.add(h);
    }
  }
  const blocks = new Map<number, string[]>();
  const blockTxs = async (n: number): Promise<string[]> => {
    if (!blocks.has(n)) {
      const blk = await rpcCall<{ transactions: string[] }>(infra.l2Url, 'eth_getBlockByNumber', [
        '0x' + n.toString(16),
        false,
      ]);
      blocks.set(
        n,
        (blk?.transactions ?? []).map((h) => h.toLowerCase()),
      );
    }
    return blocks.get(n)!;
  };
  for (let i = 0; i < bundles.acked.length; i++) {
    const b = bundles.acked[i];
    const s = bstatus[i];
    const who = `bundle ${b.bundleHash} for block ${b.target} (acknowledged at ${b.at.toFixed(1)} s${faultBefore(b.at)})`;
    const rs = await receipts(b.txHashes);
    if (!['included', 'lost', 'dropped'].includes(s.state)) {
      bundleBad.push(`${who}: state ${JSON.stringify(s)}`);
      continue;
    }
    if (s.state === 'included') {
      const txs = b.target <= head ? await blockTxs(b.target) : [];
      const idx = b.txHashes.map((h) => txs.indexOf(h));
      const ours = includedByBlock.get(b.target)!;
      const top = idx[0] >= 0 && txs.slice(0, idx[0]).every((h) => ours.has(h));
      const contiguous = idx.every((x, j) => x === idx[0] + j);
      if (s.block !== b.target || idx[0] < 0 || !contiguous || !top)
        bundleContra.push(
          `${who}: included (block ${s.block}) but its txs are at ${JSON.stringify(idx)} of block ${b.target}`,
        );
      if (s.refundTxHash) {
        const [rr] = await receipts([s.refundTxHash]);
        if (!rr || Number(rr.blockNumber) !== b.target || rr.status !== '0x1')
          bundleContra.push(`${who}: refund ${s.refundTxHash} receipt ${JSON.stringify(rr)}`);
      }
    } else if (rs.some(Boolean))
      bundleContra.push(`${who}: ${s.state} but its tx has a receipt ${JSON.stringify(rs)}`);
  }
  check(
    'bundles: every acknowledged bundle final',
    bundleBad,
    `${bundles.acked.length} acknowledged: ${[...bundleStates].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`,
  );
  check(
    'bundles: state agrees with the chain',
    bundleContra,
    'included => in its block, contiguous, at the top; refund mined',
  );

  // Slot results for every slot a bundle targeted.
  const resultsBad: string[] = [];
  const targeted = [...new Set(bundles.acked.map((b) => b.target))]
    .filter((s) => s <= head)
    .sort((a, b) => a - b);
  for (const slot of targeted) {
    const r = await rpcCall<{ winners: { bundleHash: string }[] } | null>(gateway, 'sealane_getSlotResults', [
      '0x' + slot.toString(16),
    ]).catch((e: unknown) => {
      resultsBad.push(`slot ${slot}: ${String(e)}`);
      return { winners: [] };
    });
    if (!r) resultsBad.push(`slot ${slot}: sealane_getSlotResults null${faultAround(slot)}`);
    else
      for (const w of r.winners) {
        const i = bundles.acked.findIndex((b) => b.bundleHash === w.bundleHash);
        if (i >= 0 && !['included', 'dropped'].includes(bstatus[i].state))
          resultsBad.push(
            `slot ${slot}: winner ${w.bundleHash} has state ${bstatus[i].state}${faultAround(slot)}`,
          );
      }
  }
  check('slots: auction results published', resultsBad, `${targeted.length} slots targeted by bundles`);

  // Commitments.
  const commitBad: string[] = [];
  const commitContra: string[] = [];
  const commitStates = new Map<string, number>();
  const cstatus = await rpcBatch<{ state: string; block?: number; index?: number; reason?: string } | null>(
    gateway,
    priv.acked.map((c) => ['sealane_getCommitmentStatus', [c.commitment]]),
  );
  for (let i = 0; i < priv.acked.length; i++) {
    const c = priv.acked[i];
    const s = cstatus[i];
    const who = `commitment ${c.commitment} slot ${c.slot} position ${c.position} (acknowledged at ${c.at.toFixed(1)} s${faultBefore(c.at)}${c.revealed ? '' : `; reveal: ${c.revealError}`})`;
    commitStates.set(s?.state ?? 'null', (commitStates.get(s?.state ?? 'null') ?? 0) + 1);
    const [rTx, rFee] = await receipts([c.txHash, c.feeTxHash]);
    if (!s || !['included', 'skipped', 'expired'].includes(s.state)) {
      commitBad.push(`${who}: status ${JSON.stringify(s)}`);
      continue;
    }
    if (s.state === 'included') {
      if (
        !rTx ||
        Number(rTx.blockNumber) !== c.slot ||
        Number(rTx.transactionIndex) !== s.index ||
        s.block !== c.slot
      )
        commitContra.push(`${who}: ${JSON.stringify(s)} but receipt ${JSON.stringify(rTx)}`);
      if (
        !rFee ||
        Number(rFee.blockNumber) !== c.slot ||
        Number(rFee.transactionIndex) !== (s.index ?? 0) - 1
      )
        commitContra.push(`${who}: fee tx not just before it: ${JSON.stringify(rFee)}`);
    } else {
      if (rTx)
        commitContra.push(
          `${who}: ${JSON.stringify(s)} but the hidden tx has a receipt ${JSON.stringify(rTx)}`,
        );
      if (s.state === 'skipped' && !s.reason) commitContra.push(`${who}: skipped without a reason`);
      if (s.state === 'expired' && (!rFee || Number(rFee.blockNumber) !== c.slot))
        commitContra.push(
          `${who}: expired but its fee tx was not charged in slot ${c.slot}: ${JSON.stringify(rFee)}`,
        );
    }
  }
  check(
    'commitments: every acknowledged one has an outcome',
    commitBad,
    `${priv.acked.length} acknowledged: ${[...commitStates].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`,
  );
  check(
    'commitments: outcome agrees with the chain',
    commitContra,
    'included at the receipted slot, fee tx first',
  );

  // Published commitment outcomes, and the audit, for every slot with commitments.
  const slotsWithCommits = [...new Set(priv.acked.map((c) => c.slot))]
    .filter((s) => s <= head)
    .sort((a, b) => a - b);
  const outcomesBad: string[] = [];
  for (const slot of slotsWithCommits) {
    const ev = await rpcCall<{ commitments: { position: number; outcome: unknown }[] } | null>(
      gateway,
      'sealane_getSlotCommitments',
      ['0x' + slot.toString(16)],
    ).catch((e: unknown) => {
      outcomesBad.push(`slot ${slot}: ${String(e)}`);
      return { commitments: [] };
    });
    if (!ev) outcomesBad.push(`slot ${slot}: sealane_getSlotCommitments null${faultAround(slot)}`);
    else
      for (const e of ev.commitments)
        if (!e.outcome)
          outcomesBad.push(`slot ${slot} position ${e.position}: no outcome${faultAround(slot)}`);
  }
  check(
    'slots: commitment outcomes published',
    outcomesBad,
    `${slotsWithCommits.length} slots with commitments`,
  );
  const receiptsFile = join(dir, 'receipts.json');
  writeFileSync(receiptsFile, JSON.stringify(priv.acked.map((c) => c.receipt)));
  const auditBad: string[] = [];
  for (const slot of slotsWithCommits) {
    const out: string[] = [];
    const code = await auditCli(['--gateway', gateway, '--receipts', receiptsFile, '--slot', String(slot)], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      readFile: (p) => readFileSync(p, 'utf8'),
      rpc: (url, method, params) => new SealaneClient(url).rpc(method, params),
      defaultGateway: () => gateway,
    });
    if (code !== 0)
      auditBad.push(
        `slot ${slot}: audit exit ${code}${faultAround(slot)}: ${out.filter((l) => /VIOLATION|cannot|not sealed/.test(l)).join(' | ')}`,
      );
  }
  check('audit: clean for every slot with commitments', auditBad, `${slotsWithCommits.length} slots audited`);

  // Sealed records against the engine.
  const sealedBad: string[] = [];
  const sealedHead = Number(await rget('sealed:head'));
  if (sealedHead !== head) sealedBad.push(`sealed head ${sealedHead} but the engine's head is ${head}`);
  const builtBy = new Map<string, number>();
  for (let n = 1; n <= head; n++) {
    const raw = await rget(`block:${n}`);
    const blk = await rpcCall<{ hash: string; transactions: string[] }>(infra.l2Url, 'eth_getBlockByNumber', [
      '0x' + n.toString(16),
      false,
    ]);
    if (!raw) {
      sealedBad.push(`block ${n}: no sealed record${faultAround(n)}`);
      continue;
    }
    const rec = JSON.parse(raw) as { hash: string; txHashes: string[]; builder?: string };
    builtBy.set(rec.builder ?? '?', (builtBy.get(rec.builder ?? '?') ?? 0) + 1);
    if (rec.hash !== blk.hash || JSON.stringify(rec.txHashes) !== JSON.stringify(blk.transactions))
      sealedBad.push(`block ${n}: record ${rec.hash} differs from the engine's ${blk.hash}${faultAround(n)}`);
  }
  check(
    'blocks: every sealed block recorded as on the engine',
    sealedBad,
    `${head} blocks; sealed by ${[...builtBy].map(([k, v]) => `${k} ${v}`).join(', ')}`,
  );

  // Batches on L1.
  const batchBad: string[] = [];
  const events = (await inbox.queryFilter(inbox.filters.BatchAppended(), 0)) as EventLog[];
  const batches = events
    .map((e) => ({
      seq: Number(e.args.sequenceNumber),
      first: Number(e.args.firstBlock),
      last: Number(e.args.lastBlock),
    }))
    .sort((a, b) => a.seq - b.seq);
  let nextBlock = 1;
  batches.forEach((b, i) => {
    if (b.seq !== i) batchBad.push(`batch at position ${i} has sequence number ${b.seq} (gap or duplicate)`);
    if (b.first !== nextBlock)
      batchBad.push(`batch ${b.seq} starts at block ${b.first}, expected ${nextBlock}`);
    nextBlock = b.last + 1;
  });
  if (nextBlock - 1 < head)
    batchBad.push(`batches cover blocks 1..${nextBlock - 1}, the sealed head is ${head}`);
  check(
    'batches: no gap or duplicate, cover every block',
    batchBad,
    `${batches.length} batches, blocks 1..${nextBlock - 1}`,
  );

  // verify.
  const report = await verifyChain({ l1RpcUrl: infra.l1Url, inboxAddress, l2RpcUrl: infra.l2Url });
  const vlines = formatVerifyReport(report);
  check('verify', report.ok ? [] : vlines.slice(2), vlines[0]);
  // The chain as anyone rebuilds it from L1 alone, re-executed on a fresh engine.
  const derived = await deriveChain({ l1RpcUrl: infra.l1Url, inboxAddress, dataDir: infra.dir });
  const dlines = formatReplicaReport(derived);
  check('replica: re-executed from L1 alone', derived.ok ? [] : dlines.slice(0, 1), dlines[0]);

  // Components that died on their own.
  const crashes = Object.values(comps).flatMap((c) =>
    c.crashes.map(
      (x) =>
        `${c.name} exited ${x.status} at ${x.at.toFixed(1)} s${faultBefore(x.at)}: …${x.tail.slice(-400)}`,
    ),
  );
  check(
    'processes: none died unless killed',
    crashes,
    `${Object.values(comps).reduce((a, c) => a + c.starts, 0)} starts`,
  );
  // What the logs say about the event bus after Redis restarts (issue 9 item 6 quotes this line).
  const gaveUp = Object.values(comps)
    .map((c) => {
      let text = '';
      try {
        text = readFileSync(c.logFile, 'utf8');
      } catch {
        /* no log */
      }
      return [c.name, text.split('No further reconnection attempts will be made').length - 1] as const;
    })
    .filter(([, n]) => n > 0);
  const faultErrors = done
    .filter((f) => f.error)
    .map((f) => `${f.kind} at ${f.startedAt.toFixed(1)} s: ${f.error}`);
  check(
    'faults: all injected',
    faultErrors.concat(done.length < plan.length ? ['not all faults ran'] : []),
    `${done.length} of ${plan.length}`,
  );

  // Table and summary.
  const rows: [string, string, string][] = checks.map((c) => [c.name, c.ok ? 'ok' : 'FAIL', c.detail]);
  for (const k of FAULT_KINDS) {
    const fs = done.filter((f) => f.kind === k);
    rows.push([
      `fault: ${k}`,
      String(fs.length),
      fs
        .map(
          (f) =>
            `${f.startedAt.toFixed(0)}s/${f.downFor}s${f.kind.includes('builder') ? ` ${f.target}` : ''}` +
            (f.kind === 'freeze L1'
              ? ` (poster caught up ${f.catchUp === undefined ? 'never' : `${f.catchUp.toFixed(1)} s`} after)`
              : ''),
        )
        .join(' '),
    ]);
  }
  const fmt = (m: Map<string, number>) => [...m].map(([k, v]) => `${k} ${v}`).join(', ');
  let stall = { from: 0, to: 0, head: 0 };
  for (let i = 1, since = 0; i < heads.length; i++) {
    if (heads[i].head !== heads[since].head) since = i;
    else if (heads[i].at - heads[since].at > stall.to - stall.from)
      stall = { from: heads[since].at, to: heads[i].at, head: heads[since].head };
  }
  const inStall = done.filter(
    (f) => f.startedAt >= stall.from - opts.slotMs / 1000 && f.startedAt <= stall.to,
  );
  rows.push([
    'event bus gave up on Redis (info)',
    String(gaveUp.reduce((a, [, n]) => a + n, 0)),
    gaveUp.map(([c, n]) => `${c} ${n}`).join(', ') || 'never: "No further reconnection attempts" in no log',
  ]);
  rows.push([
    'longest L2 stall (info)',
    `${(stall.to - stall.from).toFixed(1)} s`,
    `head ${stall.head} from ${stall.from.toFixed(1)} s to ${stall.to.toFixed(1)} s (slot ${opts.slotMs / 1000} s)` +
      (inStall.length
        ? `; faults: ${inStall.map((f) => `${f.kind} (${f.target}) at ${f.startedAt.toFixed(1)} s`).join(', ')}`
        : ''),
  ]);
  rows.push([
    'load: public',
    String(pub.acked.length),
    `${fmt(pub.counts)}; unanswered then nonce-too-low: ${pub.maybe.length} (${maybeIn} on chain)`,
  ]);
  rows.push([
    'load: rebroadcasts',
    String([...pub.rebroadcasts.values()].reduce((a, b) => a + b, 0)),
    fmt(pub.rebroadcasts),
  ]);
  rows.push(['load: bundles', String(bundles.acked.length), fmt(bundles.counts)]);
  rows.push(['load: commitments', String(priv.acked.length), fmt(priv.counts)]);
  for (const [who, m] of [
    ['public', pub.messages],
    ['bundles', bundles.messages],
    ['commitments', priv.messages],
  ] as const)
    for (const [k, msg] of m) rows.push([`  ${who} ${k}`, 'msg', msg.slice(0, 140)]);
  const w = [0, 1].map((c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(['check', 'result', 'detail'].map((h, c) => (c < 2 ? h.padEnd(w[c]) : h)).join('  '));
  for (const r of rows) console.log(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2]}`);
  for (const c of checks.filter((x) => !x.ok)) {
    console.log(`\n${c.name}: ${c.evidence.length} failing`);
    for (const e of c.evidence.slice(0, 10)) console.log(`  ${e}`);
    if (c.evidence.length > 10) console.log(`  … ${c.evidence.length - 10} more`);
  }
  const failed = checks.filter((c) => !c.ok);
  const auditOk = checks.find((c) => c.name.startsWith('audit'))!.ok;
  console.log(
    `\nsoak: ${Math.round(loadSeconds)} s, ${done.length} faults, ${pub.acked.length} tx / ${bundles.acked.length} bundles / ` +
      `${priv.acked.length} commitments acknowledged, ${lost.length + skippedValid.length + bundleBad.length + commitBad.length} lost, ` +
      `${contradictions.length + bundleContra.length + commitContra.length} contradictions, audit ${auditOk ? 'clean' : 'FAILED'}, ` +
      `verify ${report.ok ? 'OK' : 'FAILED'}${failed.length ? `; FAILED: ${failed.map((c) => c.name).join('; ')}` : ''} (seed ${opts.seed})`,
  );
  if (failed.length) {
    // Keep the evidence: the components' and Redis' logs (capped), not the anvils'.
    const keep = mkdtempSync(join(tmpdir(), `sealane-soak-logs-${opts.seed}-`));
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.log') && !n.startsWith('anvil')))
      copyFileSync(join(dir, f), join(keep, f));
    console.log(`logs kept in ${keep}`);
  }
  redis.disconnect();
  l1.destroy();
  return failed.length ? 1 : 0;
}

function closeOffset(slotMs: number): number {
  return Math.min(1000, Math.floor(slotMs * 0.3));
}

function toHexKey(k: Uint8Array): string {
  return '0x' + Buffer.from(k).toString('hex');
}

/**
 * The process a fault hits. A builder fault waits (up to 15 s) for a builder to hold the lease, so
 * that "leader" and "standby" mean what they say; with no leader by then, the fault hits a
 * builder anyway and its target says so.
 */
async function resolveTarget(kind: FaultKind, rget: (k: string) => Promise<string | null>): Promise<string> {
  if (kind === 'kill gateway') return 'gateway';
  if (kind === 'kill poster') return 'poster';
  if (kind === 'restart redis') return 'redis';
  if (kind === 'kill L2 engine') return 'l2';
  if (kind === 'freeze L1') return 'l1';
  let leader: string | null = null;
  for (let i = 0; i < 60 && leader !== 'builder-a' && leader !== 'builder-b'; i++) {
    leader = await rget('lease:builder');
    if (leader !== 'builder-a' && leader !== 'builder-b') await sleep(250);
  }
  if (leader !== 'builder-a' && leader !== 'builder-b') return 'builder-a (no leader)';
  const other = leader === 'builder-a' ? 'builder-b' : 'builder-a';
  return kind === 'kill leader builder' ? leader : other;
}

async function waitFor(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function signedRpc<T>(url: string, w: Wallet, method: string, params: unknown[]): Promise<T> {
  const r = await searcherCall<T>(url, w, method, params);
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result as T;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
