/**
 * Governance end to end on the devnet: a 2-of-3 quorum switches the auction from first price to
 * critical price and raises the reserve; searchers' arbitrage bundles on a real AMM clear under
 * the old rules before the activation slot and under the new ones from it on. Also every
 * rejection through the gateway, the emergency pause, and the `sealane gov` CLI.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { DEV_KEYS, loadConfig } from '@sealane/config';
import { startEmbedded, type Devnet } from '@sealane/embedded';
import { L2Engine } from '@sealane/engine';
import {
  deploymentSalt,
  govCli,
  governanceDomain,
  typedData,
  type CancelProposal,
  type EmergencyAction,
  type GovDomain,
  type MessageOf,
  type ParamsProposal,
  type PrimaryType,
  type ProposalView,
} from '@sealane/governance';
import type { ParamsSnapshot } from '@sealane/params';
import { SEALANE_CODES } from '@sealane/rpc';
import type { SlotResults } from '@sealane/store';
import { parsePrometheusText, sampleValue } from '@sealane/observe';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { arbBundle, deployAmm, nonceOf, planArb, reserves, userTrade, type Amm, E18 } from './support/amm';
import { rpc, rpcError, transfer, waitFor } from './support/rpc';
import { sendBundle, signedCall } from './support/searcher';

const GWEI = 10n ** 9n;
const INBOX = '0x' + '11'.repeat(20);

interface Info {
  domain: GovDomain;
  nextNonce: number;
  openSlot: number;
  earliestActivation: number;
  timelockSlots: number;
}

async function sign<P extends PrimaryType>(
  domain: GovDomain,
  type: P,
  message: MessageOf[P],
  keys: number[],
) {
  const { EIP712Domain: _d, ...types } = typedData(domain, type, message).types;
  return Promise.all(keys.map((k) => new Wallet(DEV_KEYS[k]).signTypedData(domain, types, message)));
}

describe('governance (e2e)', () => {
  let devnet: Devnet;
  let engine: L2Engine;
  let amm: Amm;
  let s: Sealane;
  let url: string;
  let domain: GovDomain;

  const info = () => rpc<Info>(url, 'sealane_getGovernance');
  const head = async () => Number(await rpc(url, 'eth_blockNumber'));
  const request = async <P extends PrimaryType>(
    type: P,
    message: MessageOf[P],
    keys: number[],
    d = domain,
  ) => ({
    domain: d,
    primaryType: type,
    message,
    signatures: await sign(d, type, message, keys),
  });
  const propose = async (m: ParamsProposal, keys: number[], d = domain) =>
    rpc<ProposalView>(url, 'sealane_proposeParams', [await request('ParamsProposal', m, keys, d)]);
  const proposeError = async (m: ParamsProposal, keys: number[], d = domain) =>
    rpcError(url, 'sealane_proposeParams', [await request('ParamsProposal', m, keys, d)]);
  const emergency = async (m: EmergencyAction, keys: number[]) =>
    rpc<ProposalView>(url, 'sealane_proposeEmergency', [await request('EmergencyAction', m, keys)]);
  const cancel = async (m: CancelProposal, keys: number[]) =>
    rpc<ProposalView>(url, 'sealane_cancelProposal', [await request('CancelProposal', m, keys)]);

  beforeAll(async () => {
    const noL1 = { L1_RPC_URL: 'http://127.0.0.1:1', INBOX_ADDRESS: INBOX };
    devnet = await startEmbedded(loadConfig(noL1));
    engine = new L2Engine(devnet.l2RpcUrl);
    amm = await deployAmm(engine, { funded: [1, 2, 3, 4] });
    s = await startSealane({
      env: {
        ...noL1,
        REDIS_URL: devnet.redisUrl,
        L2_RPC_URL: devnet.l2RpcUrl,
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        GOV_TIMELOCK_FLOOR_SLOTS: '2',
        GENESIS_PARAMS: JSON.stringify({
          slotMs: 1200,
          auctionPricing: 0,
          auctionCloseOffsetMs: 400,
          timelockSlots: 3,
        }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
    domain = (await info()).domain;
  });
  afterAll(async () => {
    await s?.stop();
    await engine?.close();
    await devnet?.stop();
  });

  /** A user trade moves pair A, then searchers 2, 3 and 4 bid on the arbitrage for one block. */
  async function auctionRound(bids: Record<2 | 3 | 4, bigint>, notBefore = 0) {
    const trade = await userTrade(amm, 1, await nonceOf(engine, 1), { sell: 'A', amountIn: 50n * E18 });
    const tradeHash = await rpc<string>(url, 'eth_sendRawTransaction', [trade]);
    await waitFor('the user trade', async () => rpc(url, 'eth_getTransactionReceipt', [tradeHash]));
    const plan = planArb(amm, await reserves(engine, amm.pairA), await reserves(engine, amm.pairB));
    expect(plan).not.toBeNull();
    const target = Math.max(notBefore, (await head()) + 2);
    const hashes: Record<number, string> = {};
    for (const key of [2, 3, 4] as const) {
      const txs = await arbBundle(amm, key, await nonceOf(engine, key), plan!, { bid: bids[key] });
      hashes[key] = await sendBundle(url, key, txs, target);
    }
    const results = await waitFor('the slot results', async () =>
      rpc<SlotResults | null>(url, 'sealane_getSlotResults', ['0x' + target.toString(16)]),
    );
    return { target, results, hashes };
  }

  it('a 2-of-3 quorum switches first -> critical price and raises the reserve, exactly at the activation slot', async () => {
    const head0 = await engine.blockNumber();
    await waitFor('the builder to take over the chain', async () => (await head()) > head0);

    const g = await info();
    expect(g).toMatchObject({ timelockSlots: 3, domain: { chainId: 24225 } });
    expect(g.domain.salt).toBe(deploymentSalt('sealane', { inbox: INBOX }));
    const activation = g.openSlot + 9;
    const reserveGwei = 20_000_000; // 0.02 ETH: between the runner-up's bid and the winner's
    const m: ParamsProposal = {
      changes: [
        { name: 'auctionPricing', value: 1 },
        { name: 'reservePriceGwei', value: reserveGwei },
      ],
      activationSlot: activation,
      nonce: g.nextNonce,
      chainId: 24225,
    };
    // One signature: below quorum, it waits.
    const pending = await propose(m, [1]);
    expect(pending).toMatchObject({ status: 'pending', required: 2 });
    expect(pending.signatures.map((x) => x.member)).toEqual([new Wallet(DEV_KEYS[1]).address.toLowerCase()]);
    // The second member's approval reaches quorum: scheduled at exactly the requested slot.
    const [sig2] = await sign(domain, 'ParamsProposal', m, [2]);
    const scheduled = await rpc<ProposalView>(url, 'sealane_approveProposal', [pending.id, [sig2]]);
    expect(scheduled).toMatchObject({ status: 'scheduled', activationSlot: activation });
    // The decision is counted (and logged as governance.decision); the pending proposal was not.
    const scrape = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
    expect(sampleValue(scrape, 'sealane_governance_decisions_total', { kind: 'scheduled' })).toBe(1);
    const params = await rpc<{ current: ParamsSnapshot; scheduled: ParamsSnapshot[] }>(
      url,
      'sealane_getParams',
    );
    expect(params.current).toMatchObject({ version: 0, values: { auctionPricing: 0, reservePriceGwei: 0 } });
    const next = params.scheduled.find((v) => v.activationSlot === activation)!;
    expect(next.values).toMatchObject({ auctionPricing: 1, reservePriceGwei: reserveGwei, slotMs: 1200 });

    // Before the activation slot: first price, no reserve, version 0.
    const before = await auctionRound({ 2: E18 / 100n, 3: (E18 * 12n) / 1000n, 4: (E18 * 3n) / 100n });
    expect(before.target).toBeLessThan(activation);
    expect(before.results).toMatchObject({
      paramsVersion: 0,
      rules: { pricing: 'first', reservePrice: '0' },
    });
    expect(before.results.winners.map((w) => w.bundleHash)).toEqual([before.hashes[4]]);
    const w1 = before.results.winners[0];
    expect(w1.price).toBe(w1.value);

    // The last slot before it still runs the old version; from it on, the new rules.
    await waitFor('the activation slot to come near', async () => (await head()) >= activation - 3, 30_000);
    const after = await auctionRound(
      { 2: E18 / 100n, 3: (E18 * 12n) / 1000n, 4: (E18 * 3n) / 100n },
      activation,
    );
    expect(after.target).toBe(activation);
    expect(after.results).toMatchObject({
      paramsVersion: next.version,
      rules: { pricing: 'critical', reservePrice: (BigInt(reserveGwei) * GWEI).toString() },
    });
    const w2 = after.results.winners[0];
    expect(w2.bundleHash).toBe(after.hashes[4]);
    // Critical price: the runner-up bid less than the reserve, so the winner pays the reserve.
    expect(BigInt(w2.price)).toBe(BigInt(reserveGwei) * GWEI);
    expect(BigInt(w2.refund)).toBe(BigInt(w2.value) - BigInt(w2.price));

    // The history says who changed what, when, with which signatures.
    const h = await rpc<{
      entries: {
        kind: string;
        proposalId: string;
        activationSlot: number;
        version: number;
        changes: unknown[];
        signatures: { member: string }[];
      }[];
    }>(url, 'sealane_getParamsHistory');
    const e = h.entries.find((x) => x.proposalId === pending.id)!;
    expect(e).toMatchObject({
      kind: 'params',
      activationSlot: activation,
      version: next.version,
      changes: [
        { name: 'auctionPricing', from: 0, to: 1 },
        { name: 'reservePriceGwei', from: 0, to: reserveGwei },
      ],
    });
    expect(e.signatures.map((x) => x.member)).toEqual(
      [1, 2].map((k) => new Wallet(DEV_KEYS[k]).address.toLowerCase()),
    );
    expect((await rpc<ProposalView>(url, 'sealane_getProposal', [pending.id])).status).toBe('active');
  });

  it('rejects bad proposals with clear errors through the gateway', async () => {
    const g = await info();
    const base: ParamsProposal = {
      changes: [{ name: 'reservePriceGwei', value: 5 }],
      activationSlot: 0,
      nonce: g.nextNonce + 10,
      chainId: 24225,
    };
    const code = async (m: ParamsProposal, keys: number[], d = domain) =>
      (await proposeError(m, keys, d)).code;
    const C = SEALANE_CODES;
    expect(await code({ ...base, changes: [{ name: 'auctionPricing', value: 2 }] }, [1, 2])).toBe(
      C.ParamOutOfRangeError,
    );
    expect(await code({ ...base, changes: [{ name: 'warpDrive', value: 1 }] }, [1, 2])).toBe(
      C.UnknownParameterError,
    );
    expect(await code({ ...base, activationSlot: g.openSlot + 1 }, [1, 2])).toBe(C.ActivationTooEarlyError);
    expect(await code({ ...base, chainId: 1 }, [1, 2], governanceDomain(1, domain.salt))).toBe(
      C.WrongDomainError,
    );
    const otherDeployment = governanceDomain(24225, deploymentSalt('elsewhere', { inbox: INBOX }));
    const replay = await proposeError(base, [1, 2], otherDeployment);
    expect(replay).toMatchObject({
      code: C.WrongDomainError,
      message: expect.stringMatching(/another deployment/),
    });
    expect(await code(base, [5])).toBe(C.NotMemberError);
    expect(await code(base, [1, 1])).toBe(C.DuplicateSignerError);

    // Nonces: bounded by the window; a pending proposal below quorum consumes none, so others
    // may use the same nonce or one below it; only a decision consumes one (checked further down).
    const hog = await proposeError({ ...base, nonce: Number.MAX_SAFE_INTEGER }, [1]);
    expect(hog).toMatchObject({
      code: C.NonceOutOfWindowError,
      message: expect.stringMatching(/window of 16/),
      data: { detail: { nextNonce: g.nextNonce, window: 16 } },
    });
    expect(await code({ ...base, nonce: g.nextNonce + 16 }, [1])).toBe(C.NonceOutOfWindowError);
    const edge = await propose({ ...base, nonce: g.nextNonce + 15 }, [1]);
    expect(edge.status).toBe('pending');
    const skipped = await propose({ ...base, nonce: g.nextNonce + 1 }, [1]);
    expect(skipped.status).toBe('pending');
    expect((await info()).nextNonce).toBe(g.nextNonce);
    const below = await propose({ ...base, nonce: g.nextNonce }, [1]);
    expect(below.status).toBe('pending');
    const sameNonce = await propose(
      { ...base, nonce: g.nextNonce + 1, changes: [{ name: 'reservePriceGwei', value: 6 }] },
      [1],
    );
    expect(sameNonce.status).toBe('pending');
    expect((await info()).nextNonce).toBe(g.nextNonce);
    // Approving twice with the same member, or after the decision, is refused.
    const [again] = await sign(domain, 'ParamsProposal', { ...base, nonce: g.nextNonce + 1 }, [1]);
    expect((await rpcError(url, 'sealane_approveProposal', [skipped.id, [again]])).code).toBe(
      C.DuplicateSignerError,
    );

    // Lowering the timelock below its floor (2) with the threshold: it waits for the supermajority.
    const lower = await propose(
      { ...base, nonce: g.nextNonce + 2, changes: [{ name: 'timelockSlots', value: 1 }] },
      [1, 2],
    );
    expect(lower).toMatchObject({
      status: 'pending',
      required: 3,
      requiredReason: expect.stringMatching(/floor 2/),
    });
    // A quorum cancels it while pending; one signature is not a quorum.
    const c1 = await request('CancelProposal', { proposalId: lower.id, chainId: 24225 }, [1]);
    expect((await rpcError(url, 'sealane_cancelProposal', [c1])).code).toBe(C.QuorumNotReachedError);
    expect(await cancel({ proposalId: lower.id, chainId: 24225 }, [1, 3])).toMatchObject({
      status: 'cancelled',
    });
    const [late] = await sign(
      domain,
      'ParamsProposal',
      { ...base, nonce: g.nextNonce + 2, changes: [{ name: 'timelockSlots', value: 1 }] },
      [3],
    );
    expect((await rpcError(url, 'sealane_approveProposal', [lower.id, [late]])).code).toBe(
      C.ProposalClosedError,
    );
    // The cancelled proposal never consumed its nonce: it is usable again.
    const reuse = await propose(
      { ...base, nonce: g.nextNonce + 2, changes: [{ name: 'reservePriceGwei', value: 7 }] },
      [1],
    );
    expect(reuse.status).toBe('pending');
    expect((await info()).nextNonce).toBe(g.nextNonce);

    // A scheduled change can be cancelled before its slot: the versions after it are re-composed.
    const far = g.openSlot + 200;
    const sched = await propose({ ...base, nonce: g.nextNonce + 3, activationSlot: far }, [2, 3]);
    expect(sched).toMatchObject({ status: 'scheduled', activationSlot: far });
    // A quorum's decision consumes its nonce: the nonces below it are stale, even for the
    // proposals that waited with them, and it cannot be used again.
    expect((await info()).nextNonce).toBe(g.nextNonce + 4);
    expect(await code({ ...base, nonce: g.nextNonce + 1 }, [2])).toBe(C.StaleNonceError);
    expect(
      await code({ ...base, nonce: g.nextNonce + 3, changes: [{ name: 'reservePriceGwei', value: 8 }] }, [1]),
    ).toBe(C.NonceReusedError);
    const [lateSig] = await sign(domain, 'ParamsProposal', { ...base, nonce: g.nextNonce + 1 }, [2]);
    expect((await rpcError(url, 'sealane_approveProposal', [skipped.id, [lateSig]])).code).toBe(
      C.StaleNonceError,
    );
    expect((await rpc<ProposalView>(url, 'sealane_getProposal', [skipped.id])).status).toBe('pending');
    const scheduledSlots = async () =>
      (await rpc<{ scheduled: ParamsSnapshot[] }>(url, 'sealane_getParams')).scheduled.map(
        (v) => v.activationSlot,
      );
    expect(await scheduledSlots()).toContain(far);
    expect(await cancel({ proposalId: sched.id, chainId: 24225 }, [1, 2])).toMatchObject({
      status: 'cancelled',
    });
    expect(await scheduledSlots()).not.toContain(far);
  });

  it('a quorum pauses bundle intake at once and resumes it, recorded in the history', async () => {
    const bundle = async () => {
      const target = (await head()) + 2;
      const tx = await transfer(7, await nonceOf(engine, 7));
      return signedCall<{ bundleHash: string }>(url, 7, 'eth_sendBundle', [
        { txs: [tx], blockNumber: '0x' + target.toString(16) },
      ]);
    };
    const n = (await info()).nextNonce;
    // Below quorum nothing happens.
    const p = await emergency({ action: 'pause', nonce: n, chainId: 24225 }, [3]);
    expect(p.status).toBe('pending');
    expect((await bundle()).result?.bundleHash).toBeDefined();
    const [sig] = await sign(domain, 'EmergencyAction', { action: 'pause', nonce: n, chainId: 24225 }, [1]);
    expect((await rpc<ProposalView>(url, 'sealane_approveProposal', [p.id, [sig]])).status).toBe('executed');
    const refused = await bundle();
    expect(refused.error).toMatchObject({
      code: SEALANE_CODES.IntakePausedError,
      data: { name: 'IntakePausedError' },
    });
    expect((await rpc<{ intake: { paused: boolean } }>(url, 'sealane_getParams')).intake).toMatchObject({
      paused: true,
      proposalId: p.id,
    });
    const r = await emergency({ action: 'resume', nonce: n + 1, chainId: 24225 }, [2, 3]);
    expect(r.status).toBe('executed');
    expect((await bundle()).result?.bundleHash).toBeDefined();
    const kinds = (
      await rpc<{ entries: { kind: string; proposalId: string }[] }>(url, 'sealane_getParamsHistory')
    ).entries
      .filter((e) => e.proposalId === p.id || e.proposalId === r.id)
      .map((e) => e.kind);
    expect(kinds).toEqual(['pause', 'resume']);
  });

  it('one member alone cannot kill governance: a quorum still pauses after any of its proposals', async () => {
    const n = (await info()).nextNonce;
    const pause: EmergencyAction = { action: 'pause', nonce: n, chainId: 24225 };
    // The hog is refused; member 1 then fills the whole window with pending proposals, and
    // proposes the very pause the quorum is about to send.
    expect(
      (
        await rpcError(url, 'sealane_proposeEmergency', [
          await request('EmergencyAction', { ...pause, nonce: 2 ** 53 - 1 }, [1]),
        ])
      ).code,
    ).toBe(SEALANE_CODES.NonceOutOfWindowError);
    const at = (await info()).earliestActivation + 50;
    for (let i = 0; i < 16; i++) {
      const m: ParamsProposal = {
        changes: [{ name: 'reservePriceGwei', value: 100 + i }],
        activationSlot: at,
        nonce: n + i,
        chainId: 24225,
      };
      expect((await propose(m, [1])).status).toBe('pending');
    }
    expect((await emergency(pause, [1])).status).toBe('pending');
    expect((await emergency({ action: 'resume', nonce: n, chainId: 24225 }, [1])).status).toBe('pending');
    expect((await info()).nextNonce).toBe(n);
    // The quorum's pause (the same message, with members 1 and 2) is executed at once.
    const paused = await emergency(pause, [1, 2]);
    expect(paused.status).toBe('executed');
    expect(paused.signatures.map((x) => x.member).sort()).toEqual(
      [1, 2].map((k) => new Wallet(DEV_KEYS[k]).address.toLowerCase()).sort(),
    );
    expect((await rpc<{ intake: { paused: boolean } }>(url, 'sealane_getParams')).intake).toMatchObject({
      paused: true,
    });
    expect((await info()).nextNonce).toBe(n + 1);
    // Member 1's waiting resume with the consumed nonce can no longer be decided; a quorum's can.
    const [s2] = await sign(domain, 'EmergencyAction', { action: 'resume', nonce: n, chainId: 24225 }, [2]);
    const staleResume = (await rpc<ProposalView[]>(url, 'sealane_getProposals', ['pending'])).find(
      (p) => p.primaryType === 'EmergencyAction' && p.message.nonce === n,
    )!;
    expect((await rpcError(url, 'sealane_approveProposal', [staleResume.id, [s2]])).code).toBe(
      SEALANE_CODES.StaleNonceError,
    );
    expect((await emergency({ action: 'resume', nonce: n + 1, chainId: 24225 }, [2, 3])).status).toBe(
      'executed',
    );
    expect(
      (await rpc<{ intake: { paused?: boolean } | null }>(url, 'sealane_getParams')).intake?.paused,
    ).not.toBe(true);
  });

  it('the sealane gov CLI builds, signs, submits, approves and inspects against the gateway', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealane-gov-'));
    const cli = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await govCli(
        [...argv, '--url', url],
        {
          out: (l) => out.push(l),
          err: (l) => err.push(l),
          readFile: (p) => readFileSync(p, 'utf8'),
          writeFile: (p, t) => writeFileSync(p, t),
        },
        { defaultUrl: 'http://127.0.0.1:1' },
      );
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const file = join(dir, 'proposal.json');
    const keyFile = join(dir, 'key2');
    writeFileSync(keyFile, DEV_KEYS[2] + '\n');
    const at = (await info()).openSlot + 100;

    expect(
      await cli('build', '--set', 'bundlesPerSearcherPerSlot=30', '--at', String(at), '--out', file),
    ).toMatchObject({ code: 0 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      primaryType: 'ParamsProposal',
      domain,
      message: { changes: [{ name: 'bundlesPerSearcherPerSlot', value: 30 }], activationSlot: at },
      signatures: [],
    });
    expect((await cli('sign', file, '--key', DEV_KEYS[1])).code).toBe(0);
    const submitted = await cli('submit', file);
    expect(submitted.code).toBe(0);
    const id = (await cli('id', file)).out;
    expect(JSON.parse(submitted.out)).toMatchObject({ id, status: 'pending', required: 2 });
    expect((await cli('sign', file, '--key-file', keyFile)).code).toBe(0);
    const approved = await cli('approve', file);
    expect(JSON.parse(approved.out)).toMatchObject({ id, status: 'scheduled', activationSlot: at });

    const params = JSON.parse((await cli('params')).out) as { scheduled: ParamsSnapshot[] };
    expect(params.scheduled.find((v) => v.activationSlot === at)?.values.bundlesPerSearcherPerSlot).toBe(30);
    const listed = JSON.parse((await cli('proposals', '--status', 'scheduled')).out) as { id: string }[];
    expect(listed.map((p) => p.id)).toContain(id);
    const history = JSON.parse((await cli('history', '--limit', '100')).out) as {
      entries: { proposalId: string }[];
    };
    expect(history.entries.map((e) => e.proposalId)).toContain(id);

    // Clear errors: usage (2), and the gateway's refusal named (1).
    const bad = await cli('build', '--set', 'slotMs');
    expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/NAME=VALUE/) });
    expect((await cli('frobnicate')).code).toBe(2);
    const outsider = join(dir, 'outsider.json');
    await cli('build', '--set', 'reservePriceGwei=1', '--out', outsider);
    await cli('sign', outsider, '--key', DEV_KEYS[5]);
    const refused = await cli('submit', outsider);
    expect(refused).toMatchObject({
      code: 1,
      err: expect.stringMatching(/not a governance member.*NotMemberError/),
    });
    rmSync(dir, { recursive: true, force: true });
  });
});
