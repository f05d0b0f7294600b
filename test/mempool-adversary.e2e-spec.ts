/**
 * A sandwich attacker against a user's encrypted swap on the real AMM pair. The attacker is its
 * own OS process (test/support/attacker.ts) with its own searcher key; it polls every public API
 * and logs every answer. It bids sandwich bundles (a large trade, then its reverse requiring a
 * profit) in both directions for every open slot, and once a slot's order shows commitments it
 * tries again for that slot and trades both ways in the public lane.
 *
 * What this proves, for this run:
 * - the user's swap, committed with minOut = the exact output at the reserves it saw, executes
 *   and receives exactly that output: nothing moved pair A before it, and in its block only its
 *   own fee transaction stands before it;
 * - every sandwich the attacker bid for the user's slot was sealed while the slot was open, and
 *   none was included: a bundle sits above the committed lane, so its back-run can never follow
 *   the swap; everything it sent after seeing the order was refused (bundles) or landed after the
 *   swap (public lane);
 * - before the order was published, no answer the attacker got named the commitment; until the
 *   block was sealed, no answer held the swap's hash, calldata, amount or fee transaction (the
 *   only answers that do are about the sealed block), the commitment's status said only
 *   ordered/revealed, the slot's evidence was null, and the user's pending nonce did not move.
 * It does not prove anything about blind trades that do not need the victim (a plain bet on the
 * price): those are market moves the user's minOut bounds, and the attacker here does not make them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { DEV_KEYS, loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { L2Engine } from '@sealane/engine';
import { SealaneClient } from '@sealane/sdk';
import type { BundleStatus } from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import type { AttackerEvent } from './support/attacker';
import { address, amountOut, deployAmm, token, router, pair, type Amm, E18 } from './support/amm';
import { rpc, waitFor } from './support/rpc';
import { signedCall } from './support/searcher';
import { spawnTs, type TsProcess } from './support/ts-process';

const USER = 1;
const ATTACKER = 3;

describe.each(['user', 'keypers'] as const)(
  'encrypted mempool against a sandwich attacker (e2e, reveal: %s)',
  (reveal) => {
    let devnet: Devnet;
    let engine: L2Engine;
    let amm: Amm;
    let s: Sealane;
    let url: string;
    let dir: string;
    let attacker: TsProcess | undefined;

    beforeAll(async () => {
      const noL1 = { L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: '0x' + '11'.repeat(20) };
      devnet = await startEmbedded(loadConfig(noL1));
      engine = new L2Engine(devnet.l2RpcUrl);
      // Deployed straight on the engine before Sealane starts: the builder adopts these blocks.
      amm = await deployAmm(engine, { funded: [USER, ATTACKER] });
      s = await startSealane({
        env: {
          ...noL1,
          REDIS_URL: devnet.redisUrl,
          L2_RPC_URL: devnet.l2RpcUrl,
          // With keypers, the five of the devnet's set run here (keyper.e2e-spec runs them apart).
          ...(reveal === 'keypers'
            ? { COMPONENTS: 'gateway,builder,keyper', KEYPER_INDEX: '1,2,3,4,5', KEYPER_DKG_PHASE_MS: '2000' }
            : { COMPONENTS: 'gateway,builder' }),
          GATEWAY_PORT: '0',
          GENESIS_PARAMS: JSON.stringify({ slotMs: 1500, auctionCloseOffsetMs: 800, revealWindowMs: 500 }),
        },
        logger: ['error'],
      });
      url = s.gatewayUrl!;
      if (reveal === 'keypers')
        await waitFor(
          'the keypers to finish their key generation',
          async () => (await rpc<{ ready: boolean }>(url, 'sealane_getKeyperSet')).ready,
          60_000,
        );
      dir = mkdtempSync(join(tmpdir(), 'sealane-adversary-'));
    });
    afterAll(async () => {
      await attacker?.stop();
      await s?.stop();
      await engine?.close();
      await devnet?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const q = (n: number) => '0x' + n.toString(16);
    const ethCall = async (to: string, data: string, block: number | 'latest') =>
      rpc<string>(url, 'eth_call', [{ to, data }, block === 'latest' ? block : q(block)]);
    const reservesAt = async (block: number | 'latest'): Promise<[bigint, bigint]> => {
      const r = pair.decodeFunctionResult(
        'getReserves',
        await ethCall(amm.pairA, pair.encodeFunctionData('getReserves'), block),
      );
      return [r[0] as bigint, r[1] as bigint];
    };
    const balanceB = async (who: string, block: number) =>
      BigInt(await ethCall(amm.tokenB, token.encodeFunctionData('balanceOf', [who]), block));

    it('cannot sandwich a committed swap, and learns nothing of it before the order', async () => {
      const head0 = await engine.blockNumber();
      await waitFor(
        'the builder to take over the chain',
        async () => Number(await rpc(url, 'eth_blockNumber')) > head0,
      );

      const logFile = join(dir, 'attacker.jsonl');
      attacker = spawnTs(join(__dirname, 'support', 'attacker.ts'), {
        SEALANE_GATEWAY: url,
        ATTACKER_KEY: String(ATTACKER),
        AMM: JSON.stringify(amm),
        WATCH: [USER, 2, 4].map(address).join(','),
        ATTACKER_LOG: logFile,
      });
      const events = (): AttackerEvent[] => {
        let text = '';
        try {
          text = readFileSync(logFile, 'utf8');
        } catch {
          return [];
        }
        return text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as AttackerEvent);
      };
      // The attacker is up and bidding before the user moves.
      await waitFor(
        'the attacker to bid',
        async () =>
          new Set(events().flatMap((e) => (e.kind === 'bundle' && e.bundleHash ? [e.slot] : []))).size >= 2,
        30_000,
      );

      // The user: sell 50 A for B on pair A, with minOut the exact output at the reserves it sees.
      const user = new Wallet(DEV_KEYS[USER]);
      const seen = await reservesAt('latest');
      const amountIn = 50n * E18;
      const expected = amountOut(amountIn, seen[0], seen[1]);
      const data = router.encodeFunctionData('swapExactIn', [
        amm.pairA,
        amm.tokenA,
        amountIn,
        expected,
        user.address,
      ]);
      const nonceBefore = Number(await rpc(url, 'eth_getTransactionCount', [user.address, 'pending']));
      const client = new SealaneClient(url);
      const swap = { to: amm.router, data, gasLimit: 200_000n };
      // With keypers the user is done once receipted: the outcome is read afterwards, as anyone can.
      const result =
        reveal === 'keypers'
          ? await client
              .sendPrivateTransaction(user, swap, { reveal: 'keypers' })
              .then(async (r) => ({ ...r, status: await client.outcomeOf(r.commitment) }))
          : await client.sendPrivateTransaction(user, swap);
      const slot = result.slot;
      expect(result.status).toMatchObject({ state: 'included', block: slot });
      // Let the attacker's informed public trades land, then stop it.
      await waitFor('two more blocks', async () => Number(await rpc(url, 'eth_blockNumber')) >= slot + 2);
      expect(await attacker.stop()).toBe(0);
      const log = events();

      // 1. The swap executed at exactly the price the user saw.
      const receipt = await rpc<{ status: string; transactionIndex: string }>(
        url,
        'eth_getTransactionReceipt',
        [result.txHash],
      );
      expect(receipt.status).toBe('0x1');
      expect(await reservesAt(slot - 1)).toEqual(seen);
      expect((await balanceB(user.address, slot)) - (await balanceB(user.address, slot - 1))).toBe(expected);
      const block = await rpc<{ transactions: { hash: string; from: string }[] }>(
        url,
        'eth_getBlockByNumber',
        [q(slot), true],
      );
      const userIndex = Number(receipt.transactionIndex);
      expect(block.transactions.slice(0, userIndex).map((t) => t.hash)).toEqual([result.feeTxHash]);

      // 2. The attacker bid sandwiches for this very slot while it was open; none got in.
      const bundles = log.flatMap((e) => (e.kind === 'bundle' && e.slot === slot ? [e] : []));
      const blind = bundles.filter((b) => b.phase === 'blind' && b.bundleHash);
      expect(new Set(blind.map((b) => b.direction))).toEqual(new Set(['A', 'B']));
      for (const b of blind) {
        const st = (await signedCall<BundleStatus>(url, ATTACKER, 'sealane_getBundleStatus', [b.bundleHash]))
          .result!;
        expect(st).toMatchObject({ slot, state: expect.not.stringMatching(/^(won|included)$/) });
        for (const h of b.txHashes) expect(await rpc(url, 'eth_getTransactionReceipt', [h])).toBeNull();
      }
      // What it tried once it saw the order: bundles refused (the auction closed with the order), and
      // public trades that land after the swap.
      const orderSeen = log.find((e) => e.kind === 'order-seen' && e.slot === slot);
      expect(orderSeen).toBeDefined();
      const informed = bundles.filter((b) => b.phase === 'informed');
      expect(informed.length).toBe(2);
      for (const b of informed) expect(b.error).toMatch(/has closed|already sealed/);
      const publicTrades = log.flatMap((e) =>
        e.kind === 'public' && e.slot === slot && e.hash ? [e.hash] : [],
      );
      expect(publicTrades.length).toBe(2);
      for (const h of publicTrades) {
        const r = await rpc<{ blockNumber: string; transactionIndex: string } | null>(
          url,
          'eth_getTransactionReceipt',
          [h],
        );
        if (r === null) {
          // Sent too late for the slot, it met the attacker's own bundle for the next one (a plain
          // back-run of the settled swap, which may win) holding its nonce: skipped, never ahead.
          const st = await rpc<{ status: string; slot: number; code?: string }>(
            url,
            'sealane_getTransactionStatus',
            [h],
          );
          expect(st).toMatchObject({ status: 'skipped', code: 'nonce-too-low' });
          expect(st.slot).toBeGreaterThan(slot);
          continue;
        }
        const [bn, idx] = [Number(r.blockNumber), Number(r.transactionIndex)];
        expect(bn > slot || (bn === slot && idx > userIndex)).toBe(true);
      }

      // 3. What it learned, and when. Only answers about the sealed block may hold the swap.
      const obs = log.flatMap((e) => (e.kind === 'obs' ? [e] : []));
      const strip = (h: string) => h.slice(2).toLowerCase();
      const word = (n: bigint) => n.toString(16).padStart(64, '0');
      const secrets = [
        strip(result.txHash),
        strip(data),
        word(amountIn),
        word(expected),
        strip(result.feeTxHash),
      ];
      const aboutSealedBlock = (o: (typeof obs)[number]): boolean => {
        const r = (JSON.parse(o.text) as { result?: Record<string, unknown> | null }).result;
        if (o.method === 'eth_getBlockByNumber') return Number(r?.number) >= slot;
        if (o.method === 'sealane_getSlotCommitments') return o.params[0] === q(slot) && r !== null;
        if (o.method === 'sealane_getCommitmentStatus') return r?.state === 'included';
        return false;
      };
      const leaking = obs.filter((o) => secrets.some((x) => o.text.toLowerCase().includes(x)));
      expect(leaking.length).toBeGreaterThan(0); // it does see the block once sealed
      expect(leaking.filter((o) => !aboutSealedBlock(o)).map((o) => o.method)).toEqual([]);
      // The commitment itself first appears in the published order.
      const first = obs.find((o) => o.text.toLowerCase().includes(strip(result.commitment)))!;
      expect(first.method).toBe('sealane_getSlotOrder');
      expect(first.params).toEqual([q(slot)]);
      const firstAt = obs.indexOf(first);
      // Its status before the seal: ordered or revealed, with nothing else than slot and position.
      const statuses = obs
        .filter((o) => o.method === 'sealane_getCommitmentStatus' && o.params[0] === result.commitment)
        .map((o) => (JSON.parse(o.text) as { result: Record<string, unknown> }).result);
      expect(statuses.length).toBeGreaterThan(0);
      for (const st of statuses.filter((x) => x.state !== 'included')) {
        expect(['ordered', 'revealed']).toContain(st.state);
        expect(Object.keys(st).sort()).toEqual(['position', 'slot', 'state']);
      }
      // The slot's evidence before the seal: null.
      const evidence = obs.filter(
        (o) => o.method === 'sealane_getSlotCommitments' && o.params[0] === q(slot),
      );
      expect(evidence.some((o) => (JSON.parse(o.text) as { result: unknown }).result === null)).toBe(true);
      // The user's pending nonce, as the attacker saw it before the order: unchanged by the commit.
      const nonces = obs
        .slice(0, firstAt)
        .filter((o) => o.method === 'eth_getTransactionCount' && o.params[0] === address(USER))
        .map((o) => Number((JSON.parse(o.text) as { result: string }).result));
      expect(nonces.length).toBeGreaterThan(0);
      expect(new Set(nonces)).toEqual(new Set([nonceBefore]));
    });
  },
);
