/**
 * `verify`: rebuilds the L2 transaction sequence from L1 data alone — the Inbox's
 * BatchAppended events, the calldata of the transactions that emitted them — and compares it,
 * block by block, with what the L2 engine holds. It trusts neither Redis nor the poster.
 */
import { concat, JsonRpcProvider, keccak256, ZeroHash, type EventLog, type Log } from 'ethers';
import {
  DaDecodeError,
  decodeBatch,
  decodeBatchTransaction,
  outputRoot,
  type BatchBlock,
  type DaBatch,
} from '@sealane/batch';
import { inboxContract } from '@sealane/contracts';
import { L2Engine, type EngineBlock, type RpcCall } from '@sealane/engine';

export interface VerifyOptions {
  l1RpcUrl: string;
  inboxAddress: string;
  l2RpcUrl: string;
  /** L1 block to read events from (the Inbox's deployment block); default 0. */
  fromBlock?: number;
  /** The first L2 block the Inbox expects; default 1 (block 0 is genesis). */
  firstBlock?: number;
  /** Stop listing mismatches after this many (the count of checks goes on); default 100. */
  maxMismatches?: number;
}

export interface VerifyMismatch {
  /** The L2 block concerned (for a batch-level problem, the batch's first block). */
  block: number;
  /** The batch concerned, when known. */
  batch?: number;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  /** L1 block at which the Inbox was read. */
  l1Block: number;
  batches: number;
  blocks: number;
  transactions: number;
  firstBlock: number | null;
  lastBlock: number | null;
  /** The L2 engine's head: blocks after lastBlock are not posted yet (not a mismatch). */
  l2Head: number;
  mismatches: VerifyMismatch[];
  /** True when more mismatches were found than listed. */
  truncated: boolean;
}

const BLOCK_FETCH_CHUNK = 200;

export async function verifyChain(opts: VerifyOptions): Promise<VerifyReport> {
  const l1 = new JsonRpcProvider(opts.l1RpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const engine = new L2Engine(opts.l2RpcUrl);
  const max = opts.maxMismatches ?? 100;
  const mismatches: VerifyMismatch[] = [];
  let truncated = false;
  const bad = (m: VerifyMismatch) => {
    if (mismatches.length < max) mismatches.push(m);
    else truncated = true;
  };
  try {
    const inbox = inboxContract(opts.inboxAddress, l1);
    const inboxAddress = opts.inboxAddress.toLowerCase();
    // Everything from L1 is read at one block, so a poster posting meanwhile cannot skew it.
    const l1Block = await l1.getBlockNumber();
    const logs = (await inbox.queryFilter(inbox.filters.BatchAppended(), opts.fromBlock ?? 0, l1Block))
      .filter((l: Log | EventLog): l is EventLog => 'args' in l)
      .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);

    let expectSeq = 0;
    let expectFirst = opts.firstBlock ?? 1;
    let acc = ZeroHash;
    let blocks = 0;
    let transactions = 0;
    let firstBlock: number | null = null;
    let lastBlock: number | null = null;

    for (const log of logs) {
      const seq = Number(log.args.sequenceNumber);
      const first = Number(log.args.firstBlock);
      const last = Number(log.args.lastBlock);
      const where = { block: first, batch: seq };
      if (seq !== expectSeq) {
        bad({
          ...where,
          reason: `batch ${seq} found where batch ${expectSeq} was expected (gap or duplicate)`,
        });
      }
      if (first !== expectFirst) {
        bad({
          ...where,
          reason: `batch ${seq} covers blocks ${first}..${last}, expected to start at ${expectFirst} (gap or overlap)`,
        });
      }
      expectSeq = seq + 1;
      expectFirst = last + 1;

      const tx = await l1.getTransaction(log.transactionHash);
      if (!tx || tx.to?.toLowerCase() !== inboxAddress) {
        bad({
          ...where,
          reason: `batch ${seq}: L1 transaction ${log.transactionHash} is not a direct call to the Inbox`,
        });
        continue;
      }
      let call: DaBatch;
      try {
        call = decodeBatchTransaction(tx);
      } catch (e: unknown) {
        if (!(e instanceof DaDecodeError)) throw e;
        bad({ ...where, reason: `batch ${seq}: L1 transaction ${log.transactionHash} is not appendBatch` });
        continue;
      }
      if (call.seq !== seq || call.firstBlock !== first || call.lastBlock !== last) {
        bad({ ...where, reason: `batch ${seq}: calldata arguments differ from the event` });
      }
      const data = call.data;
      const dataHash = keccak256(data);
      if (dataHash !== log.args.dataHash) {
        bad({
          ...where,
          reason: `batch ${seq}: keccak256(data) ${dataHash} differs from the event's ${log.args.dataHash}`,
        });
      }
      acc = keccak256(concat([acc, dataHash]));
      if (acc !== log.args.accumulator) {
        bad({
          ...where,
          reason: `batch ${seq}: accumulator ${log.args.accumulator} does not chain from the previous batches`,
        });
        acc = String(log.args.accumulator);
      }

      let decoded: BatchBlock[];
      try {
        decoded = decodeBatch(data);
      } catch (e: unknown) {
        bad({ ...where, reason: `batch ${seq}: ${e instanceof Error ? e.message : String(e)}` });
        continue;
      }
      const dFirst = decoded[0].number;
      const dLast = decoded[decoded.length - 1].number;
      if (dFirst !== first || dLast !== last) {
        bad({
          ...where,
          reason: `batch ${seq}: data holds blocks ${dFirst}..${dLast}, the event says ${first}..${last}`,
        });
      }
      const root = outputRoot(decoded[decoded.length - 1]);
      if (call.outputRoot !== root || String(log.args.outputRoot).toLowerCase() !== root) {
        bad({
          block: dLast,
          batch: seq,
          reason: `batch ${seq}: output root ${String(log.args.outputRoot)} is not that of block ${dLast} as the batch carries it (${root})`,
        });
      }
      firstBlock ??= dFirst;
      lastBlock = Math.max(lastBlock ?? dLast, dLast);
      blocks += decoded.length;
      transactions += decoded.reduce((s, b) => s + b.txs.length, 0);
      await compareWithEngine(engine, decoded, seq, bad);
    }

    const [count, accumulator] = await Promise.all([
      inbox.batchCount({ blockTag: l1Block }) as Promise<bigint>,
      inbox.accumulator({ blockTag: l1Block }) as Promise<string>,
    ]);
    if (Number(count) !== logs.length) {
      bad({
        block: expectFirst,
        reason: `the Inbox counts ${count} batches but ${logs.length} BatchAppended events were found`,
      });
    }
    if (accumulator !== acc) {
      bad({
        block: expectFirst,
        reason: `the Inbox accumulator ${accumulator} differs from the one rebuilt from events ${acc}`,
      });
    }
    const l2Head = await engine.blockNumber();
    return {
      ok: mismatches.length === 0,
      l1Block,
      batches: logs.length,
      blocks,
      transactions,
      firstBlock,
      lastBlock,
      l2Head,
      mismatches,
      truncated,
    };
  } finally {
    l1.destroy();
    await engine.close();
  }
}

async function compareWithEngine(
  engine: L2Engine,
  decoded: BatchBlock[],
  seq: number,
  bad: (m: VerifyMismatch) => void,
): Promise<void> {
  const calls: RpcCall[] = decoded.map((b) => [
    'eth_getBlockByNumber',
    ['0x' + b.number.toString(16), false],
  ]);
  const results = await engine.batch(calls, BLOCK_FETCH_CHUNK);
  decoded.forEach((b, i) => {
    const r = results[i];
    const at = { block: b.number, batch: seq };
    if (!r.ok) return bad({ ...at, reason: `L2 engine error: ${r.error.message}` });
    const e = r.result as EngineBlock | null;
    if (!e) return bad({ ...at, reason: 'block is on L1 but missing from the L2 engine' });
    if (Number(e.number) !== b.number)
      return bad({ ...at, reason: `L2 engine returned block ${Number(e.number)}` });
    if (e.hash.toLowerCase() !== b.hash || e.stateRoot.toLowerCase() !== b.stateRoot) {
      bad({ ...at, reason: `hash or state root on L1 differs from the L2 engine's (${e.hash})` });
    }
    if (Number(e.timestamp) !== b.timestamp) {
      bad({ ...at, reason: `timestamp ${b.timestamp} on L1, ${Number(e.timestamp)} on the L2 engine` });
    }
    const l1Hashes = b.txs.map((t) => keccak256(t));
    const l2Hashes = e.transactions.map((h) => h.toLowerCase());
    if (l1Hashes.length !== l2Hashes.length) {
      bad({ ...at, reason: `${l1Hashes.length} transactions on L1, ${l2Hashes.length} on the L2 engine` });
    }
    const n = Math.min(l1Hashes.length, l2Hashes.length);
    for (let j = 0; j < n; j++) {
      if (l1Hashes[j] !== l2Hashes[j]) {
        bad({ ...at, reason: `transaction ${j} is ${l1Hashes[j]} on L1, ${l2Hashes[j]} on the L2 engine` });
        break;
      }
    }
    return undefined;
  });
}

/** The report as a few lines for a terminal (the `verify` CLI prints these). */
export function formatVerifyReport(r: VerifyReport): string[] {
  const range = r.firstBlock === null ? 'no blocks' : `blocks ${r.firstBlock}..${r.lastBlock}`;
  const unposted = r.lastBlock === null ? r.l2Head : Math.max(0, r.l2Head - r.lastBlock);
  const lines = [
    r.ok
      ? `verify OK: ${r.batches} batches, ${r.blocks} blocks (${range}), ${r.transactions} transactions on L1 match the L2 engine`
      : `verify FAILED: ${r.mismatches.length}${r.truncated ? '+' : ''} mismatches in ${r.batches} batches, ${r.blocks} blocks (${range})`,
    `  read at L1 block ${r.l1Block}; L2 engine head ${r.l2Head}` +
      (unposted > 0 ? ` (${unposted} blocks not posted yet)` : ''),
  ];
  for (const m of r.mismatches) {
    lines.push(`  block ${m.block}${m.batch === undefined ? '' : ` (batch ${m.batch})`}: ${m.reason}`);
  }
  if (r.truncated) lines.push('  ... more mismatches not listed');
  return lines;
}
