/**
 * Every setting Sealane reads, validated once at boot. Nothing else reads process.env.
 * A bad value stops start-up with a message naming the variable.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const optionalUrl = z.url().optional();
const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a 32-byte hex private key (0x + 64 hex digits)');
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 20-byte hex address');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** Anvil's well-known dev keys (mnemonic "test test ... junk"): safe only on the embedded devnet. */
export const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
] as const;

/** Addresses of DEV_KEYS[1..3]: the devnet's default governance members (2 of 3). */
export const DEV_GOV_MEMBERS = [
  '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc',
  '0x90f79bf6eb2c4f870365e785982e1f101e93b906',
] as const;

export const COMPONENTS = ['gateway', 'builder', 'poster', 'keyper'] as const;
/** What runs when COMPONENTS is not set: the sequencer (keypers are other parties' processes). */
export const DEFAULT_COMPONENTS = ['gateway', 'builder', 'poster'] as const;
export type Component = (typeof COMPONENTS)[number];

export const configSchema = z.object({
  KEY_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'letters, digits, "_", "." or "-"')
    .default('sealane'),
  COMPONENTS: z
    .string()
    .default(DEFAULT_COMPONENTS.join(','))
    .transform((s) =>
      s
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(COMPONENTS)).min(1)),
  DATA_DIR: z.string().optional(),
  REDIS_URL: optionalUrl,
  L2_RPC_URL: optionalUrl,
  L1_RPC_URL: optionalUrl,
  INBOX_ADDRESS: address.optional(),
  L2_CHAIN_ID: int(1).default(24225),
  L1_CHAIN_ID: int(1).default(31337),
  L2_BLOCK_GAS_LIMIT: int(1_000_000).default(30_000_000),
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: int(0, 65535).default(8545),
  RPC_MAX_BODY_BYTES: int(1024).default(5 * 1024 * 1024),
  RPC_MAX_BATCH: int(1, 10_000).default(1000),
  /**
   * WebSockets on the gateway port: open connections at most, subscriptions per connection, and
   * the send buffer a slow reader may fill before it is closed.
   */
  WS_MAX_CONNECTIONS: int(1, 1_000_000).default(1000),
  WS_MAX_SUBSCRIPTIONS: int(1, 100_000).default(100),
  WS_MAX_BUFFERED_BYTES: int(65_536).default(16 * 1024 * 1024),
  /** eth_sendRawTransactionSync (EIP-7966): the wait when the call names none (or an invalid one), and the most. */
  SEND_SYNC_TIMEOUT_MS: int(1, 600_000).default(5000),
  SEND_SYNC_MAX_TIMEOUT_MS: int(1, 600_000).default(30_000),
  /** eth_callBundle simulations one searcher may run at once (as many more wait; beyond: RateLimitedError). */
  CALL_BUNDLE_PER_SEARCHER: int(1, 1000).default(2),
  /** eth_callBundle simulations all searchers may run at once on the engine (as many more wait). */
  CALL_BUNDLE_MAX_IN_FLIGHT: int(1, 1000).default(4),
  /** eth_callBundle requests one body (a batch) may carry; the rest are answered RateLimitedError. */
  CALL_BUNDLE_PER_BODY: int(1, 10_000).default(8),
  /**
   * Worker threads the gateway recovers signatures on (auth headers, transaction senders); 0 keeps
   * recovery on the event loop. Default: one fewer than the cores, at least 1, at most 8.
   */
  RECOVERY_THREADS: int(0, 64).default(Math.max(1, Math.min(8, availableParallelism() - 1))),
  /** The sequencer's L2 account: fee recipient of every block, and payer of auction refunds. */
  SEQUENCER_PRIVATE_KEY: hexKey.default(DEV_KEYS[0]),
  POSTER_PRIVATE_KEY: hexKey.default(DEV_KEYS[0]),
  POSTER_CONFIRMATIONS: int(0, 64).default(1),
  POSTER_POLL_MS: int(10).default(250),
  /** An L1 transaction not mined after this long is re-signed with higher fees. */
  POSTER_RESUBMIT_MS: int(1000).default(30_000),
  /** Fee increase per resubmission, percent; L1 nodes refuse a replacement below 10. */
  POSTER_FEE_BUMP_PERCENT: int(10, 1000).default(15),
  /** Most batches on their way to L1 at once, with consecutive nonces (geth keeps 16 per account). */
  POSTER_MAX_IN_FLIGHT: int(1, 64).default(16),
  /** Brotli level when the poster keeps up; lowered automatically as a backlog grows. */
  POSTER_COMPRESSION_LEVEL: int(0, 11).default(11),
  /** L1 block from which to search Inbox events (its deployment block); 0 searches all. */
  POSTER_LOG_FROM_BLOCK: int(0).default(0),
  BUILDER_ID: z.string().min(1).optional(),
  /** The address that signs receipts and slot orders, as the keypers check it (default: SEQUENCER_PRIVATE_KEY's). */
  SEQUENCER_ADDRESS: address.optional(),
  /** Keypers in the set (n) and the shares a slot key needs (t). */
  KEYPER_COUNT: int(1, 64).default(5),
  KEYPER_THRESHOLD: int(1, 64).default(3),
  /** The keypers' identity public keys (secp256k1, compressed, comma-separated); default: the devnet's. */
  KEYPER_SET: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((k) => k.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().regex(/^0x0[23][0-9a-f]{64}$/, 'a compressed secp256k1 public key (0x02/0x03 + 64 hex)'),
      ),
    )
    .optional(),
  /** Which keypers of the set run in this process (1-based, comma-separated), with COMPONENTS=keyper. */
  KEYPER_INDEX: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((i) => i.trim())
        .filter(Boolean)
        .map(Number),
    )
    .pipe(z.array(z.number().int().min(1).max(64)).min(1))
    .optional(),
  /** The keyper's identity private key (one KEYPER_INDEX only); default: the devnet key of its index. */
  KEYPER_PRIVATE_KEY: hexKey.optional(),
  /** How long each phase of the keypers' key generation waits for slow keypers. */
  KEYPER_DKG_PHASE_MS: int(100).default(5000),
  /** Where `sealane replica` serves its read-only JSON-RPC, and how often it reads L1. */
  REPLICA_HOST: z.string().default('127.0.0.1'),
  REPLICA_PORT: int(0, 65535).default(8547),
  REPLICA_POLL_MS: int(50).default(1000),
  /** The sequencer's gateway, whose published slot data the replica checks each block's evidence against. */
  REPLICA_SEQUENCER_URL: z.url().optional(),
  LEASE_TTL_MS: int(200).default(1000),
  /**
   * The L2 genesis (a Sealane genesis JSON file: chainId, timestamp, gasLimit, baseFeePerGas,
   * alloc) for the embedded engine; default: the devnet genesis, kept in DATA_DIR.
   */
  GENESIS_FILE: z.string().min(1).optional(),
  GENESIS_PARAMS: z
    .string()
    .default('{}')
    .transform((s, ctx) => {
      try {
        const v: unknown = JSON.parse(s);
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
      } catch {
        /* reported below */
      }
      ctx.addIssue({ code: 'custom', message: 'a JSON object of parameter overrides' });
      return z.NEVER;
    }),
  /** Bound of each embedded child's log file (anvil, redis-server); it rotates once past it. */
  EMBEDDED_LOG_MAX_BYTES: int(4096).default(16 * 1024 * 1024),
  /** anvil's per-RPC-call log lines (off by default: under load they run to GB an hour). */
  EMBEDDED_ANVIL_LOGS: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** `text` (one line a message, millisecond timestamps) or `json` (one JSON object a line). */
  LOG_FORMAT: z.enum(['text', 'json']).default('text'),
  /** Prometheus metrics: recorded and served at GET /metrics of the gateway (and METRICS_PORT). */
  METRICS_ENABLED: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** A port of its own for /metrics, for processes without the gateway (0: none). */
  METRICS_PORT: int(0, 65535).default(0),
  METRICS_HOST: z.string().default('127.0.0.1'),
  /** Governance members (addresses); the default is dev keys 1..3, for the devnet only. */
  GOV_MEMBERS: z
    .string()
    .default(DEV_GOV_MEMBERS.join(','))
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(address).min(1, 'at least one member'))
    .transform((a) => a.map((x) => x.toLowerCase()))
    .refine((a) => new Set(a).size === a.length, 'a member is listed twice'),
  /** m of n: the signatures a governance decision needs. */
  GOV_THRESHOLD: int(1, 1000).default(2),
  /** The signatures needed to set timelockSlots below GOV_TIMELOCK_FLOOR_SLOTS. */
  GOV_SUPERMAJORITY: int(1, 1000).default(3),
  GOV_TIMELOCK_FLOOR_SLOTS: int(1, 1_000_000).default(5),
  /** Overrides the derived EIP-712 domain salt (keccak of KEY_PREFIX and the Inbox address). */
  GOV_DOMAIN_SALT: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, '32 bytes of 0x hex')
    .transform((s) => s.toLowerCase())
    .optional(),
});

export type SealaneConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses settings from an env-like record; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): SealaneConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new ConfigError(`invalid settings:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const n = c.GOV_MEMBERS.length;
  const gov: string[] = [];
  if (c.GOV_THRESHOLD > n) gov.push(`  GOV_THRESHOLD: ${c.GOV_THRESHOLD} exceeds the ${n} GOV_MEMBERS`);
  if (c.GOV_SUPERMAJORITY > n)
    gov.push(`  GOV_SUPERMAJORITY: ${c.GOV_SUPERMAJORITY} exceeds the ${n} GOV_MEMBERS`);
  if (c.GOV_SUPERMAJORITY < c.GOV_THRESHOLD)
    gov.push(`  GOV_SUPERMAJORITY: ${c.GOV_SUPERMAJORITY} is below GOV_THRESHOLD ${c.GOV_THRESHOLD}`);
  const k = c.KEYPER_COUNT;
  if (c.KEYPER_THRESHOLD > k) gov.push(`  KEYPER_THRESHOLD: ${c.KEYPER_THRESHOLD} exceeds KEYPER_COUNT ${k}`);
  if (c.KEYPER_SET && c.KEYPER_SET.length !== k)
    gov.push(`  KEYPER_SET: ${c.KEYPER_SET.length} keys for KEYPER_COUNT ${k}`);
  for (const i of c.KEYPER_INDEX ?? [])
    if (i > k) gov.push(`  KEYPER_INDEX: ${i} is beyond KEYPER_COUNT ${k}`);
  if (c.COMPONENTS.includes('keyper') && !c.KEYPER_INDEX)
    gov.push('  KEYPER_INDEX: required with COMPONENTS=keyper (which keypers of the set run here)');
  if (c.KEYPER_PRIVATE_KEY && (c.KEYPER_INDEX?.length ?? 0) !== 1)
    gov.push('  KEYPER_PRIVATE_KEY: set it with exactly one KEYPER_INDEX');
  if (gov.length) throw new ConfigError(`invalid settings:\n${gov.join('\n')}`);
  return c;
}
