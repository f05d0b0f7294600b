/**
 * The one table from a Lua script's return code to its result or to the error its caller sees
 * (the codes are listed in each script's header). scripts.ts reads it for every code that is not
 * a plain success; an entry may read Redis for the error's detail, on the refusal path only.
 */
import type { ProposalRecord, ScheduleResult, DecideResult, StoredSignature } from '@sealane/governance';
import { checkNonce } from '@sealane/governance';
import {
  AlreadyKnownError,
  CommittedFeeTxError,
  DuplicateBundleError,
  DuplicateSignerError,
  InsufficientFundsError,
  IntakePausedError,
  NonceTooHighError,
  NonceTooLowError,
  NotLeaderError,
  PoolFullError,
  ProposalClosedError,
  ProposalNotFoundError,
  RateLimitedError,
  ReplacementNonceTooLowError,
  ReplacementUnderpricedError,
  RevealTooEarlyError,
  RevealTooLateError,
  SlotClosedError,
  BundleNotFoundError,
  type DecodedTx,
} from '@sealane/protocol';
import type { StoredBundle } from './bundle-store';
import type { RecordResult } from './chain-store';
import type { StoredCommitment } from './commit-store';
import { PRICE_BUMP_PERCENT, type EngineAccount, type LaneLimits } from './lane-rules';
import type { Keys, TxStatus } from './names';
import type { SealaneRedis } from './redis';
import { BlockConflictError, BlockOrderError, ScriptError } from './store.error';

/** Where an entry reads the detail of a refusal. */
export interface AnswerDb {
  redis: SealaneRedis;
  keys: Keys;
}

/** A uuid's replacement or cancel, for the errors that say it is not newer than the last. */
interface Replacement {
  searcher: string;
  uuid: string;
  nonce?: number;
}

/** What each script's entries are told about the call, beside the code. */
interface Calls {
  addPublicTx: { tx: DecodedTx; account: EngineAccount; limits: LaneLimits; cost: bigint; detail?: string };
  addBundle: Replacement & { b: StoredBundle; limit: number; code: number };
  cancelBundle: Replacement & { slot: string };
  addCommitment: { c: StoredCommitment; limit: number };
  revealCommitment: { slot: number };
  recordSealed: { token: string; n: number };
  savePlan: { token: string; slot: number };
  govPropose: { rec: ProposalRecord };
  govApprove: { id: string; sigs: StoredSignature[] };
  govSchedule: object;
  govDecide: object;
}

/** The results a code stands for (a script without one answers only successes and errors). */
interface Results {
  addPublicTx: never;
  addBundle: never;
  cancelBundle: never;
  addCommitment: never;
  revealCommitment: never;
  recordSealed: RecordResult;
  savePlan: never;
  govPropose: 'stored' | 'exists';
  govApprove: never;
  govSchedule: ScheduleResult;
  govDecide: DecideResult;
}

export type AnsweredScript = keyof Calls;

type Entry<S extends AnsweredScript> = (
  call: Calls[S],
  db: AnswerDb,
) => Results[S] | Error | Promise<Results[S] | Error>;

type Table = { [S in AnsweredScript]: Record<number, Entry<S>> };

/** -5, -6, -7 of addBundle and cancelBundle: the request is not newer than the uuid's last. */
async function notNewer(code: number, r: Replacement, db: AnswerDb): Promise<Error> {
  const stored = await db.redis.hget(db.keys.replacementRecord(r.searcher, r.uuid), 'n');
  const data = { replacementUuid: r.uuid, ...(stored === null ? {} : { replacementNonce: Number(stored) }) };
  if (code === -5)
    return new ReplacementNonceTooLowError(
      `this exact request was already accepted for replacementUuid ${r.uuid}: a replay is refused`,
      { data },
    );
  if (code === -6)
    return new ReplacementNonceTooLowError(
      `replacementNonce ${r.nonce} is not above ${stored}, the last one accepted for replacementUuid ${r.uuid}`,
      { data },
    );
  return new ReplacementNonceTooLowError(
    `replacementUuid ${r.uuid} is ordered by replacementNonce: send one above ${stored}`,
    { data },
  );
}

/** -1, -2, -4 of govPropose: the nonce error checkNonce finds for the stored state. */
async function nonceRefused(code: number, { rec }: Calls['govPropose'], db: AnswerDb): Promise<Error> {
  const n = rec.message.nonce;
  const usedBy = code === -2 ? ((await db.redis.hget(db.keys.govNonces(), String(n))) ?? '?') : undefined;
  checkNonce(n, Number((await db.redis.get(db.keys.govNonce())) ?? 0), usedBy);
  return new ScriptError(`govPropose answered ${code}`);
}

const ANSWERS: Table = {
  addPublicTx: {
    [-1]: () => new AlreadyKnownError('already known'),
    [-2]: ({ limits }) =>
      new PoolFullError(`the public lane is full (${limits.capacity} transactions); try again later`),
    [-3]: ({ tx, account, detail }) => {
      const st = detail ? (JSON.parse(detail) as TxStatus) : null;
      return new NonceTooLowError(
        st?.status === 'included'
          ? `nonce too low: transaction already included in block ${st.block}`
          : `nonce too low: next nonce ${account.nonce}, tx nonce ${tx.nonce}`,
      );
    },
    [-4]: () =>
      new ReplacementUnderpricedError('replacement transaction underpriced', {
        data: { minBumpPercent: Number(PRICE_BUMP_PERCENT - 100n) },
      }),
    [-5]: ({ account, cost, detail }) => {
      const queued = BigInt(detail ?? '0');
      return new InsufficientFundsError(
        `insufficient funds for gas * price + value: balance ${account.balance}, queued cost ${queued}, tx cost ${cost}, overshot ${queued + cost - account.balance}`,
      );
    },
    [-6]: ({ tx, account, limits }) =>
      new NonceTooHighError(
        `nonce too high: next nonce ${account.nonce}, tx nonce ${tx.nonce}; at most ${limits.nonceWindow} nonces ahead wait per sender`,
        { data: { nonceWindow: limits.nonceWindow } },
      ),
  },
  addBundle: {
    [-1]: ({ b }) => new SlotClosedError(`the auction for block ${b.slot} has closed`),
    [-2]: ({ limit }) => new RateLimitedError(`at most ${limit} bundles per searcher for one block`),
    [-3]: async (_, db) => {
      const pause = JSON.parse((await db.redis.get(db.keys.intakePaused())) ?? '{"paused":true}') as object;
      return new IntakePausedError('bundle intake is paused by governance; try again once it is resumed', {
        data: pause,
      });
    },
    [-4]: ({ b }) =>
      new DuplicateBundleError(
        `bundle ${b.bundleHash} is already in block ${b.slot} under another entry: the same transactions are accepted once per block`,
        { data: { bundleHash: b.bundleHash, blockNumber: b.slot } },
      ),
    [-5]: (call, db) => notNewer(-5, call, db),
    [-6]: (call, db) => notNewer(-6, call, db),
    [-7]: (call, db) => notNewer(-7, call, db),
    /** -100 - i: transaction i is a committed fee transaction of the slot. */
    [-100]: ({ b, code }) => {
      const i = -100 - code;
      return new CommittedFeeTxError(
        `txs[${i}] (${b.txHashes[i]}) is the fee transaction of a commitment for block ${b.slot}: a bundle may not carry it`,
        { data: { txIndex: i, txHash: b.txHashes[i] } },
      );
    },
  },
  cancelBundle: {
    [-1]: ({ slot }) => new SlotClosedError(`the auction for block ${slot} has closed`),
    [0]: ({ uuid }) => new BundleNotFoundError(`no open bundle with replacementUuid ${uuid}`),
    [-5]: (call, db) => notNewer(-5, call, db),
    [-6]: (call, db) => notNewer(-6, call, db),
    [-7]: (call, db) => notNewer(-7, call, db),
  },
  addCommitment: {
    [-1]: ({ c }) => new SlotClosedError(`slot ${c.slot} has closed`),
    [-2]: ({ limit }) => new RateLimitedError(`at most ${limit} commitments per sender for one slot`),
    [-3]: () => new AlreadyKnownError('commitment already known'),
  },
  revealCommitment: {
    [-1]: ({ slot }) =>
      new RevealTooEarlyError(`the order of slot ${slot} is not published yet: reveal after it`),
    [-2]: ({ slot }) => new RevealTooLateError(`the reveal window of slot ${slot} has closed`),
    [-3]: () => new AlreadyKnownError('commitment already revealed'),
  },
  recordSealed: {
    [1]: () => 'recorded',
    [0]: () => 'already recorded',
    [-1]: ({ token, n }) => new NotLeaderError(`builder ${token} lost the lease before recording block ${n}`),
    [-2]: ({ n }) => new BlockOrderError(`block ${n} is not the next block to record`),
    [-3]: ({ n }) => new BlockConflictError(`another block is already recorded at number ${n}`),
  },
  savePlan: {
    [-1]: ({ token, slot }) =>
      new NotLeaderError(`builder ${token} no longer holds the lease to plan slot ${slot}`),
  },
  govPropose: {
    [1]: () => 'stored',
    [-3]: () => 'exists',
    [-1]: (call, db) => nonceRefused(-1, call, db),
    [-2]: (call, db) => nonceRefused(-2, call, db),
    [-4]: (call, db) => nonceRefused(-4, call, db),
  },
  govApprove: {
    [-2]: ({ id, sigs }) =>
      new DuplicateSignerError(`a member among ${sigs.map((s) => s.member).join(', ')} already signed ${id}`),
    [-1]: async ({ id }, db) => {
      const status = await db.redis.hget(db.keys.govStatus(), id.toLowerCase());
      if (!status) return new ProposalNotFoundError(`no proposal ${id}`);
      return new ProposalClosedError(`proposal ${id} is ${status}, no longer pending`, { data: { status } });
    },
  },
  govSchedule: {
    [-1]: () => 'conflict',
    [-2]: () => 'too-late',
    [-3]: () => 'status',
    [-4]: () => 'stale-nonce',
  },
  govDecide: {
    [1]: () => 'ok',
    [-3]: () => 'status',
    [-4]: () => 'stale-nonce',
  },
};

/** The result `code` stands for in `script`'s entries; throws the error it stands for. */
export async function answer<S extends AnsweredScript>(
  script: S,
  code: number,
  call: Calls[S],
  db: AnswerDb,
): Promise<Results[S]> {
  const entry = (ANSWERS[script] as Record<number, Entry<S>>)[code];
  if (!entry) throw new ScriptError(`${script} answered ${code}`);
  const r = await entry(call, db);
  if (r instanceof Error) throw r;
  return r;
}
