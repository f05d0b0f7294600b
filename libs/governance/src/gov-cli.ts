/**
 * `sealane gov ...`: builds governance typed data, signs it with a member key, submits, approves
 * or cancels through a gateway, and shows parameters, history and proposals. I/O is injected so
 * tests run it in-process against a live gateway.
 */
import { Wallet, verifyTypedData } from 'ethers';
import {
  call,
  checkBeforeSigning,
  checkChangesBeforeSigning,
  RefusedBeforeSigningError,
  type GovInfoView,
  type ParamsView,
} from './gov-cli-checks';
import {
  digest,
  parseDomain,
  parseMessage,
  parseSignatures,
  typedData,
  type ParamsProposal,
  type PrimaryType,
  type TypedData,
} from './typed-data';

export interface GovCliIo {
  out(line: string): void;
  err(line: string): void;
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
}

export const GOV_USAGE = `usage: sealane gov <command> [options]   (every command takes --url URL of a gateway, and --json)
  info                                     domain, members, quorum, next nonce, earliest activation
  build --set NAME=VALUE [--set ...] [--at SLOT] [--nonce N] [--out FILE]
                                           a parameter proposal (EIP-712 typed data, no signatures yet);
                                           --at 0 or none: as soon as the timelock allows
  build --pause | --resume [--nonce N] [--out FILE]   an emergency action on bundle intake
  build --cancel PROPOSAL_ID [--out FILE]  a cancel of a pending or scheduled proposal
  sign FILE (--key 0xKEY | --key-file PATH) [--out FILE] [--offline]   adds your signature (FILE is updated)
                                           build and sign first check the proposal as the gateway will:
                                           names known, values in range, activation after the timelock,
                                           nonce, rules between parameters (--offline: names and ranges only)
  id FILE                                  the proposal id (its EIP-712 digest)
  submit FILE                              proposes (or cancels) with FILE's signatures
  approve FILE                             adds FILE's new signatures to its pending proposal
  params                                   current values, version and scheduled versions
  history [--offset N] [--limit N]         who changed what, when, with which signatures
  proposals [--status S]                   every proposal (pending, scheduled, active, ...)
  proposal ID                              one proposal
  --json                                   one compact JSON object per answer (for machines)`;

class UsageError extends Error {}

interface Args {
  positional: string[];
  flags: Map<string, string[]>;
}

const BOOLEAN_FLAGS = new Set(['pause', 'resume', 'json', 'offline']);
const VALUE_FLAGS = new Set([
  'url',
  'set',
  'at',
  'nonce',
  'cancel',
  'out',
  'key',
  'key-file',
  'offset',
  'limit',
  'status',
]);

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!BOOLEAN_FLAGS.has(name) && !VALUE_FLAGS.has(name)) throw new UsageError(`unknown option --${name}`);
    let value: string;
    if (eq > 0) value = a.slice(eq + 1);
    else if (BOOLEAN_FLAGS.has(name)) value = 'true';
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      value = argv[++i];
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positional, flags };
}

function one(a: Args, name: string): string | undefined {
  const v = a.flags.get(name);
  if (v && v.length > 1) throw new UsageError(`--${name} given twice`);
  return v?.[0];
}

function int(v: string, what: string): number {
  if (!/^[0-9]{1,15}$/.test(v)) throw new UsageError(`${what} must be a non-negative integer, got "${v}"`);
  return Number(v);
}

/** A typed-data file: the typed data plus the signatures collected so far. */
export type GovFile = TypedData & { signatures: string[] };

function readGovFile(io: GovCliIo, path: string): GovFile {
  let raw: unknown;
  try {
    raw = JSON.parse(io.readFile(path));
  } catch (e) {
    throw new UsageError(`${path}: not a readable JSON file (${(e as Error).message})`);
  }
  const o = raw as Record<string, unknown>;
  const primaryType = o.primaryType as PrimaryType;
  if (!['ParamsProposal', 'EmergencyAction', 'CancelProposal'].includes(primaryType))
    throw new UsageError(`${path}: primaryType must be ParamsProposal, EmergencyAction or CancelProposal`);
  const domain = parseDomain(o.domain);
  const message = parseMessage(primaryType, o.message);
  return {
    ...typedData(domain, primaryType, message),
    signatures: parseSignatures(o.signatures ?? []),
  } as GovFile;
}

function signingTypes(f: GovFile): Record<string, { name: string; type: string }[]> {
  const { EIP712Domain: _domain, ...rest } = f.types;
  return rest;
}

function signerOf(f: GovFile, sig: string): string {
  return verifyTypedData(f.domain, signingTypes(f), f.message, sig).toLowerCase();
}

function idOf(f: GovFile): string {
  return digest(f.domain, f.primaryType, f.message as never);
}

interface Info extends GovInfoView {
  earliestActivation: number;
}

export async function govCli(argv: string[], io: GovCliIo, opts: { defaultUrl: string }): Promise<number> {
  try {
    return await run(argv, io, opts.defaultUrl);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sealane gov: ${e.message}`);
      io.err(GOV_USAGE);
      return 2;
    }
    if (e instanceof RefusedBeforeSigningError) {
      io.err(`sealane gov: refused before signing: ${e.message}`);
      return 2;
    }
    io.err(`sealane gov: ${(e as Error).message}`);
    return 1;
  }
}

async function run(argv: string[], io: GovCliIo, defaultUrl: string): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help') {
    io.out(GOV_USAGE);
    return cmd ? 0 : 2;
  }
  const a = parseArgs(rest);
  const url = one(a, 'url') ?? defaultUrl;
  const json = one(a, 'json') === 'true';
  const print = (v: unknown) => io.out(json ? JSON.stringify(v) : JSON.stringify(v, null, 2));
  const writeOrPrint = (f: GovFile, path = one(a, 'out')) => {
    if (path) {
      io.writeFile(path, JSON.stringify(f, null, 2) + '\n');
      const summary = {
        file: path,
        primaryType: f.primaryType,
        id: idOf(f),
        signatures: f.signatures.length,
      };
      if (json) return print(summary);
      io.out(
        `${path}: ${f.primaryType} ${idOf(f)} (${f.signatures.length} signature${f.signatures.length === 1 ? '' : 's'})`,
      );
    } else print(f);
  };
  const file = () => {
    const path = a.positional[0];
    if (!path) throw new UsageError(`${cmd} needs a FILE`);
    return { path, f: readGovFile(io, path) };
  };

  switch (cmd) {
    case 'info':
      print(await call(url, 'sealane_getGovernance', []));
      return 0;
    case 'params':
      print(await call(url, 'sealane_getParams', []));
      return 0;
    case 'history': {
      const offset = one(a, 'offset');
      const limit = one(a, 'limit');
      print(
        await call(url, 'sealane_getParamsHistory', [
          {
            ...(offset ? { offset: int(offset, '--offset') } : {}),
            ...(limit ? { limit: int(limit, '--limit') } : {}),
          },
        ]),
      );
      return 0;
    }
    case 'proposals': {
      const status = one(a, 'status');
      print(await call(url, 'sealane_getProposals', status ? [status] : []));
      return 0;
    }
    case 'proposal': {
      if (!a.positional[0]) throw new UsageError('proposal needs an ID');
      print(await call(url, 'sealane_getProposal', [a.positional[0]]));
      return 0;
    }
    case 'build': {
      const sets = a.flags.get('set') ?? [];
      const pause = one(a, 'pause') === 'true';
      const resume = one(a, 'resume') === 'true';
      const cancel = one(a, 'cancel');
      if ([sets.length > 0, pause, resume, cancel !== undefined].filter(Boolean).length !== 1)
        throw new UsageError(
          'build takes --set NAME=VALUE (repeatable), or --pause, --resume or --cancel ID',
        );
      const info = await call<Info>(url, 'sealane_getGovernance', []);
      const nonceArg = one(a, 'nonce');
      const nonce = nonceArg === undefined ? info.nextNonce : int(nonceArg, '--nonce');
      let f: GovFile;
      if (cancel !== undefined) {
        if (!/^0x[0-9a-fA-F]{64}$/.test(cancel))
          throw new UsageError('--cancel needs a 32-byte 0x proposal id');
        f = {
          ...typedData(info.domain, 'CancelProposal', {
            proposalId: cancel.toLowerCase(),
            chainId: info.domain.chainId,
          }),
          signatures: [],
        };
      } else if (pause || resume) {
        f = {
          ...typedData(info.domain, 'EmergencyAction', {
            action: pause ? 'pause' : 'resume',
            nonce,
            chainId: info.domain.chainId,
          }),
          signatures: [],
        };
      } else {
        const changes = sets.map((s) => {
          const m = /^([A-Za-z][A-Za-z0-9]*)=([0-9]+)$/.exec(s);
          if (!m) throw new UsageError(`--set needs NAME=VALUE with an integer value, got "${s}"`);
          return { name: m[1], value: int(m[2], m[1]) };
        });
        const at = one(a, 'at');
        f = {
          ...typedData(info.domain, 'ParamsProposal', {
            changes,
            activationSlot: at === undefined ? 0 : int(at, '--at'),
            nonce,
            chainId: info.domain.chainId,
          }),
          signatures: [],
        };
      }
      const params = await call<ParamsView>(url, 'sealane_getParams', []);
      for (const n of checkBeforeSigning(f, info, params)) io.err(`note: ${n}`);
      writeOrPrint(f);
      return 0;
    }
    case 'sign': {
      const { path, f } = file();
      if (f.primaryType === 'ParamsProposal') checkChangesBeforeSigning(f.message as ParamsProposal);
      if (one(a, 'offline') !== 'true') {
        const [info, params] = await Promise.all([
          call<Info>(url, 'sealane_getGovernance', []),
          call<ParamsView>(url, 'sealane_getParams', []),
        ]);
        for (const n of checkBeforeSigning(f, info, params)) io.err(`note: ${n}`);
      }
      const keyArg = one(a, 'key');
      const keyFile = one(a, 'key-file');
      if (!keyArg === !keyFile)
        throw new UsageError('sign needs exactly one of --key 0xKEY or --key-file PATH');
      const key = (keyArg ?? io.readFile(keyFile!)).trim();
      if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError('the key must be 32 bytes of 0x hex');
      const w = new Wallet(key);
      const signer = w.address.toLowerCase();
      if (f.signatures.some((s) => signerOf(f, s) === signer))
        throw new UsageError(`${signer} already signed ${path}`);
      const sig = await w.signTypedData(f.domain, signingTypes(f), f.message);
      f.signatures.push(sig.toLowerCase());
      writeOrPrint(f, one(a, 'out') ?? path);
      return 0;
    }
    case 'id': {
      const id = idOf(file().f);
      if (json) print({ id });
      else io.out(id);
      return 0;
    }
    case 'submit': {
      const { f } = file();
      if (f.signatures.length === 0) throw new UsageError('nothing to submit: sign the file first');
      const method = {
        ParamsProposal: 'sealane_proposeParams',
        EmergencyAction: 'sealane_proposeEmergency',
        CancelProposal: 'sealane_cancelProposal',
      }[f.primaryType];
      print(
        await call(url, method, [
          { domain: f.domain, primaryType: f.primaryType, message: f.message, signatures: f.signatures },
        ]),
      );
      return 0;
    }
    case 'approve': {
      const { f } = file();
      if (f.primaryType === 'CancelProposal')
        throw new UsageError('a cancel is not approved: submit it with its quorum');
      const id = idOf(f);
      const p = await call<{ signatures: { member: string }[] } | null>(url, 'sealane_getProposal', [id]);
      if (!p) throw new Error(`proposal ${id} is not on the gateway: submit it first`);
      const have = new Set(p.signatures.map((s) => s.member));
      const fresh = f.signatures.filter((s) => !have.has(signerOf(f, s)));
      if (fresh.length === 0)
        throw new UsageError(`every signature in the file is already on proposal ${id}`);
      print(await call(url, 'sealane_approveProposal', [id, fresh]));
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}
