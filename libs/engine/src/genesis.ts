/**
 * The L2 genesis: everything the chain's execution depends on before its first batch. The
 * sequencer starts its engine from it, publishes it on L1 (the Inbox's Genesis event), and a
 * replica starts a fresh engine from what L1 published. Canonical bytes are the JSON of the
 * config with sorted keys, so keccak256 of them identifies one genesis.
 */
import { getAddress, HDNodeWallet, keccak256, Mnemonic, toUtf8Bytes, toUtf8String } from 'ethers';

export const GENESIS_VERSION = 1;

export interface GenesisAccount {
  /** Balance in wei, decimal. */
  balance: string;
  nonce?: number;
  /** Runtime bytecode, 0x hex. */
  code?: string;
  /** Storage slot → value, both 32-byte 0x hex. */
  storage?: Record<string, string>;
}

export interface GenesisConfig {
  version: typeof GENESIS_VERSION;
  chainId: number;
  /** Timestamp of block 0, in seconds: slot 1 starts no sooner. */
  timestamp: number;
  gasLimit: number;
  /** Base fee of block 0, in wei, decimal; later blocks follow EIP-1559 (elasticity 2, denominator 8). */
  baseFeePerGas: string;
  /** Accounts at genesis, by checksummed address. */
  alloc: Record<string, GenesisAccount>;
}

export class GenesisError extends Error {
  override readonly name = 'GenesisError';
}

/** anvil's dev mnemonic: its first ten accounts are the devnet's funded accounts. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
const DEV_BALANCE_WEI = (10_000n * 10n ** 18n).toString();

/** The devnet genesis: the ten dev accounts with 10,000 ETH each, as anvil funds them. */
export function devGenesis(o: { chainId: number; gasLimit: number; timestamp: number }): GenesisConfig {
  const m = Mnemonic.fromPhrase(DEV_MNEMONIC);
  const alloc: Record<string, GenesisAccount> = {};
  for (let i = 0; i < 10; i++) {
    alloc[HDNodeWallet.fromMnemonic(m, `m/44'/60'/0'/0/${i}`).address] = { balance: DEV_BALANCE_WEI };
  }
  return {
    version: GENESIS_VERSION,
    chainId: o.chainId,
    timestamp: o.timestamp,
    gasLimit: o.gasLimit,
    baseFeePerGas: (10n ** 9n).toString(),
    alloc,
  };
}

const uint = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new GenesisError(`genesis ${what} must be a non-negative integer`);
  return v;
};
const dec = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || !/^(0|[1-9][0-9]*)$/.test(v))
    throw new GenesisError(`genesis ${what} must be a decimal string`);
  return v;
};

/** Checks a parsed genesis config and returns it with checksummed addresses. */
export function parseGenesis(v: unknown): GenesisConfig {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new GenesisError('genesis is not an object');
  const g = v as Record<string, unknown>;
  if (g.version !== GENESIS_VERSION) throw new GenesisError(`unknown genesis version ${String(g.version)}`);
  if (typeof g.alloc !== 'object' || g.alloc === null)
    throw new GenesisError('genesis alloc is not an object');
  const alloc: Record<string, GenesisAccount> = {};
  for (const [addr, a] of Object.entries(g.alloc as Record<string, GenesisAccount>)) {
    let key: string;
    try {
      key = getAddress(addr);
    } catch {
      throw new GenesisError(`genesis alloc key ${addr} is not an address`);
    }
    alloc[key] = {
      balance: dec(a?.balance, `balance of ${addr}`),
      ...(a.nonce !== undefined ? { nonce: uint(a.nonce, `nonce of ${addr}`) } : {}),
      ...(a.code !== undefined ? { code: a.code } : {}),
      ...(a.storage !== undefined ? { storage: a.storage } : {}),
    };
  }
  return {
    version: GENESIS_VERSION,
    chainId: uint(g.chainId, 'chainId'),
    timestamp: uint(g.timestamp, 'timestamp'),
    gasLimit: uint(g.gasLimit, 'gasLimit'),
    baseFeePerGas: dec(g.baseFeePerGas, 'baseFeePerGas'),
    alloc,
  };
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** The canonical bytes of a genesis config (what the Inbox publishes). */
export function encodeGenesis(g: GenesisConfig): Uint8Array {
  return toUtf8Bytes(JSON.stringify(sorted(parseGenesis(g))));
}

export function decodeGenesis(bytes: Uint8Array): GenesisConfig {
  let v: unknown;
  try {
    v = JSON.parse(toUtf8String(bytes));
  } catch (e: unknown) {
    throw new GenesisError('genesis bytes are not UTF-8 JSON', { cause: e });
  }
  return parseGenesis(v);
}

export const genesisConfigHash = (g: GenesisConfig): string => keccak256(encodeGenesis(g));

const hex = (n: number | string | bigint) => '0x' + BigInt(n).toString(16);

/** The config as a geth-style genesis.json, which anvil loads with --init. */
export function gethGenesisJson(g: GenesisConfig): string {
  const alloc: Record<string, unknown> = {};
  for (const [addr, a] of Object.entries(g.alloc)) {
    alloc[addr] = {
      balance: hex(a.balance),
      ...(a.nonce !== undefined ? { nonce: hex(a.nonce) } : {}),
      ...(a.code !== undefined ? { code: a.code } : {}),
      ...(a.storage !== undefined ? { storage: a.storage } : {}),
    };
  }
  return JSON.stringify({
    config: { chainId: g.chainId },
    timestamp: hex(g.timestamp),
    gasLimit: hex(g.gasLimit),
    baseFeePerGas: hex(g.baseFeePerGas),
    difficulty: '0x0',
    alloc,
  });
}

/**
 * anvil's arguments for an engine that starts from `genesisFile` (gethGenesisJson written to
 * disk): no dev accounts of its own (the alloc has every account), no mining of its own, FIFO.
 */
export function anvilGenesisArgs(genesisFile: string): string[] {
  return ['--init', genesisFile, '--accounts', '0', '--no-mining', '--order', 'fifo'];
}
