/**
 * The encrypted mempool's intake: sealane_commit requests per second the gateway accepts over HTTP, from 2 clients x 8
 * keep-alive connections in worker threads (as in the ingest benchmarks). Only the gateway runs, so no slot is
 * ever sealed and slots 1..100 all stay open. Every commit is signed, encrypted and validated
 * (prepareCommit) before the clock starts; commits are spread over many senders, funded on the
 * engine (a commit's fee must be payable there: balance, and nonce = the sender's next one, which
 * stays 0 as nothing is sealed) and over those 100 slots, with the per-sender limit at its
 * maximum, so that no answer is a rate-limit refusal. The balance reads are cached per sealed head.
 * (Commit-to-inclusion latency is in mempool-latency.bench.ts.)
 */
import { getBytes, hexlify, Signature, Transaction } from 'ethers';
import { ecdsaSign } from 'secp256k1';
import { REDIS } from '@sealane/core';
import {
  checkCommitReceipt,
  commitRequestToJson,
  prepareCommit,
  signedReceiptFromJson,
  type CommitRules,
  type PreparedCommit,
} from '@sealane/mempool';
import { fromHex, nativeRecoveryAvailable, toHex } from '@sealane/protocol';
import type { MempoolInfo } from '@sealane/sdk';
import { Keys, type SealaneRedis } from '@sealane/store';
import { LOAD_NOTE, loadRows, measureLoad, spread, withGateway, type LoadRequest } from './load';
import { derivedKeys, L2_CHAIN_ID, now, progress, type Row } from './support';

// ---------------------------------------------------------------------------------------------
// Intake

const SENDERS = 200;
/** Slots 1..SLOTS are targeted; the gateway allows at most 100 ahead of head 0. */
const SLOTS = 100;
const WARMUP_COMMITS = 2000;
const COMMITS_PER_REP = 6000;
const REPS = 5;
/** The parameter's maximum; with SENDERS x SLOTS pairs each sees only a few commitments anyway. */
const PER_SENDER_LIMIT = 1000;
const GWEI = 10n ** 9n;

interface Sender {
  key: Uint8Array;
  /** Lowercase, as the gateway names it in receipts. */
  address: string;
}

/** Sender keys, funded on the engine by `fund` before the commits (intake checks the balance). */
function makeSenders(n: number): Sender[] {
  return derivedKeys('committer', n).map((k) => ({ ...k, address: k.address.toLowerCase() }));
}

async function fund(l2RpcUrl: string, senders: Sender[]): Promise<void> {
  const body = senders.map((x, i) => ({
    jsonrpc: '2.0',
    id: i,
    method: 'anvil_setBalance',
    params: [x.address, '0x' + (10n ** 21n).toString(16)],
  }));
  const res = await fetch(l2RpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answers = (await res.json()) as { error?: { message: string } }[];
  const failed = answers.find((a) => a.error);
  if (failed) throw new Error(`anvil_setBalance: ${failed.error!.message}`);
}

/** A signed EIP-1559 transfer, signed natively (ethers' JS curve code is far slower). */
function signTransfer(key: Uint8Array, nonce: number, to: string, value: bigint): Uint8Array {
  const tx = Transaction.from({
    type: 2,
    chainId: L2_CHAIN_ID,
    nonce,
    to,
    value,
    gasLimit: 21_000n,
    maxFeePerGas: 100n * GWEI,
    maxPriorityFeePerGas: GWEI,
  });
  const { signature, recid } = ecdsaSign(getBytes(tx.unsignedHash), key);
  tx.signature = Signature.from({
    r: hexlify(signature.slice(0, 32)),
    s: hexlify(signature.slice(32, 64)),
    yParity: recid as 0 | 1,
  });
  return getBytes(tx.serialized);
}

let nextId = 1;
let nextCommit = 0;

interface Prepared {
  /** The exact body; its receipt must name that commitment, sender and slot. */
  request: LoadRequest;
  prepared: PreparedCommit;
}

/**
 * `count` commits, round-robin over the senders and the slots: a fee transfer (nonce 0, the
 * sender's next nonce on the engine, where nothing is sealed) to the fee recipient and a hidden
 * transfer (nonce 1), encrypted for (sender, slot) with a fresh key.
 * Returns them and the time prepareCommit alone took (encryption and its checks, not signing).
 */
function makeCommits(senders: Sender[], rules: CommitRules, count: number): { out: Prepared[]; ms: number } {
  const out: Prepared[] = [];
  let ms = 0;
  for (let i = 0; i < count; i++) {
    const k = nextCommit++;
    const who = senders[k % senders.length];
    const slot = 1 + (Math.floor(k / senders.length) % SLOTS);
    const n = 0;
    const feeTx = signTransfer(who.key, n, rules.feeRecipient, rules.feeWei);
    const signedTx = signTransfer(
      who.key,
      n + 1,
      '0x000000000000000000000000000000000000bEEF',
      1000n + BigInt(k),
    );
    const t0 = now();
    const prepared = prepareCommit({
      signedTx,
      feeTx,
      sender: who.address,
      slot: BigInt(slot),
      params: rules,
    });
    ms += now() - t0;
    const json = commitRequestToJson(prepared.request);
    const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'sealane_commit', params: [json] });
    const expect = { commitment: toHex(prepared.commitment), sender: json.sender, slot: json.slot };
    out.push({ request: { body, expect }, prepared });
  }
  return { out, ms };
}

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method, params }),
  });
  const r = (await res.json()) as { result?: T; error?: { code: number; message: string } };
  if (r.error) throw new Error(`${method}: ${r.error.message} (code ${r.error.code})`);
  return r.result as T;
}

function rulesOf(info: MempoolInfo): CommitRules {
  return {
    chainId: BigInt(info.chainId),
    feeRecipient: info.feeRecipient,
    feeWei: BigInt(info.commitmentFeeWei),
    minBytes: info.paddingBucketMinBytes,
    maxBytes: info.paddingBucketMaxBytes,
  };
}

export async function benchMempoolIntake(): Promise<Row[]> {
  if (!nativeRecoveryAvailable()) throw new Error('native secp256k1 is not available');
  return withGateway({ commitmentsPerSenderPerSlot: PER_SENDER_LIMIT }, async (s) => {
    const url = s.gatewayUrl!;
    const info = await rpc<MempoolInfo>(url, 'sealane_getMempoolInfo');
    if (info.openSlot !== 1) throw new Error(`expected open slot 1 with no builder, got ${info.openSlot}`);
    const rules = rulesOf(info);
    const total = WARMUP_COMMITS + REPS * COMMITS_PER_REP;
    progress(`mempool intake: preparing ${total} commits (${SENDERS} senders x ${SLOTS} slots)`);
    const senders = makeSenders(SENDERS);
    await fund(s.devnet.l2RpcUrl, senders);
    let prepareMs = 0;
    const make = (n: number) => {
      const { out, ms } = makeCommits(senders, rules, n);
      prepareMs += ms;
      return out;
    };
    // One commit sent by hand first: its receipt must pass the SDK's own check, or "accepted"
    // would mean nothing. It is not counted below.
    const [probe] = make(1);
    const trust = {
      sequencer: info.sequencer,
      domain: { chainId: BigInt(info.domain.chainId), salt: fromHex(info.domain.salt) },
    };
    const receipt = await rpc<unknown>(url, 'sealane_commit', [commitRequestToJson(probe.prepared.request)]);
    checkCommitReceipt(probe.prepared, signedReceiptFromJson(receipt), trust);
    const requests = (n: number) => make(n).map((c) => c.request);
    const warmup = requests(WARMUP_COMMITS);
    const reps = Array.from({ length: REPS }, () => requests(COMMITS_PER_REP));
    const prepareRate = (total + 1) / (prepareMs / 1000);

    const run = await measureLoad({
      url,
      // Each receipt names exactly that commitment, sender and slot, with a position and signature.
      check: { result: 'fields', strings: ['position', 'signature'] },
      label: 'mempool intake',
      unit: 'commits/s',
      warmup,
      reps,
    });

    // Every accepted commitment must be stored in its slot's order.
    const redis = s.app.get<symbol, SealaneRedis>(REDIS);
    const keys = s.app.get(Keys);
    let stored = 0;
    for (let slot = 1; slot <= SLOTS; slot++) stored += await redis.llen(keys.slotCommitments(slot));

    const accepted = 1 + run.accepted;
    return [
      ...loadRows(run, {
        prefix: 'mempool intake',
        rate: {
          name: 'sealane_commit over HTTP',
          unit: 'commits/s',
          note: `median of ${REPS} x ${COMMITS_PER_REP.toLocaleString('en-US')}, ${LOAD_NOTE}, ${SENDERS} senders x ${SLOTS} slots, pre-encrypted (${spread(run.rates)})`,
        },
        failures: `of ${(total + 1).toLocaleString('en-US')} sent (incl. warm-up and 1 probe); ${accepted.toLocaleString('en-US')} accepted, ${stored.toLocaleString('en-US')} stored`,
        busyNote:
          'HTTP, parsing, Redis and signing each receipt; the fee sender is recovered on the recovery threads; near 100%: this thread is the limit',
      }),
      {
        name: 'mempool intake: client prepareCommit',
        value: prepareRate,
        unit: 'commits/s',
        note: 'encrypt + local checks (2 native recoveries), 1 thread; signing excluded; not part of the HTTP figure',
      },
    ];
  });
}
