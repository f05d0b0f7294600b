import { Wallet } from 'ethers';
import { DEV_GOV_MEMBERS, DEV_KEYS } from '@sealane/config';
import { DEFAULT_PARAMS } from '@sealane/params';
import { govCli, type GovCliIo } from './gov-cli';
import {
  checkBeforeSigning,
  checkChangesBeforeSigning,
  RefusedBeforeSigningError,
  valuesAt,
  type GovInfoView,
  type ParamsView,
} from './gov-cli-checks';
import { deploymentSalt, governanceDomain, typedData, type ParamsProposal } from './typed-data';

const domain = governanceDomain(24225, deploymentSalt('sealane', { inbox: '0x' + '11'.repeat(20) }));
const info: GovInfoView = {
  domain,
  members: [...DEV_GOV_MEMBERS],
  threshold: 2,
  supermajority: 3,
  timelockFloorSlots: 5,
  openSlot: 100,
  timelockSlots: 10,
  nextNonce: 4,
  nonceWindow: 16,
};
const params: ParamsView = {
  current: { version: 1, activationSlot: 0, values: DEFAULT_PARAMS },
  scheduled: [{ version: 2, activationSlot: 150, values: { ...DEFAULT_PARAMS, slotMs: 400 } }],
};
const proposal = (changes: ParamsProposal['changes'], more: Partial<ParamsProposal> = {}) =>
  typedData(domain, 'ParamsProposal', { changes, activationSlot: 0, nonce: 4, chainId: 24225, ...more });
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof RefusedBeforeSigningError) return e.message;
    throw e;
  }
  throw new Error('not refused');
};

describe('gov CLI: checks before signing', () => {
  it('names an out-of-range value with its range, an unknown name with the known ones', () => {
    expect(refusal(() => checkChangesBeforeSigning(proposal([{ name: 'slotMs', value: 10 }]).message))).toBe(
      'slotMs = 10 is outside [250, 60000] ms',
    );
    expect(
      refusal(() => checkChangesBeforeSigning(proposal([{ name: 'mevLaneGasPercent', value: 101 }]).message)),
    ).toMatch(/mevLaneGasPercent = 101 is outside \[0, 100\] %/);
    const unknown = refusal(() =>
      checkChangesBeforeSigning(proposal([{ name: 'toString', value: 1 }]).message),
    );
    expect(unknown).toMatch(/unknown parameter "toString"; known parameters: slotMs, .*timelockSlots/);
    expect(
      refusal(() => checkChangesBeforeSigning(proposal([{ name: 'timelockSlots', value: 0 }]).message)),
    ).toMatch(/timelockSlots = 0 is outside \[1, 1000000\] slots/);
  });

  it('refuses an activation before the timelock allows, a nonce outside the window, another deployment', () => {
    const ok = proposal([{ name: 'reservePriceGwei', value: 5 }], { activationSlot: 110 });
    expect(checkBeforeSigning(ok, info, params)).toEqual([
      'takes effect at slot 110 at the earliest (open slot 100, timelock 10 slots)',
      'needs 2 of 3 member signatures',
    ]);
    const early = proposal([{ name: 'reservePriceGwei', value: 5 }], { activationSlot: 109 });
    expect(refusal(() => checkBeforeSigning(early, info, params))).toMatch(
      /activation slot 109 is too early.*earliest is 110/,
    );
    const stale = proposal([{ name: 'reservePriceGwei', value: 5 }], { nonce: 3 });
    expect(refusal(() => checkBeforeSigning(stale, info, params))).toMatch(/nonce 3 is stale/);
    const ahead = proposal([{ name: 'reservePriceGwei', value: 5 }], { nonce: 20 });
    expect(refusal(() => checkBeforeSigning(ahead, info, params))).toMatch(/nonce 20 is too far ahead/);
    const elsewhere = { ...ok, domain: { ...domain, salt: '0x' + '22'.repeat(32) } };
    expect(refusal(() => checkBeforeSigning(elsewhere, info, params))).toMatch(/another deployment/);
    const pause = typedData(domain, 'EmergencyAction', { action: 'pause', nonce: 2, chainId: 24225 });
    expect(refusal(() => checkBeforeSigning(pause, info, params))).toMatch(/nonce 2 is stale/);
  });

  it('checks the rules between parameters against the values in force where the change lands', () => {
    expect(valuesAt(params, 149).slotMs).toBe(DEFAULT_PARAMS.slotMs);
    expect(valuesAt(params, 150).slotMs).toBe(400);
    // 450 ms fits in the default 2000 ms slot, not in the 400 ms one scheduled from slot 150.
    const offset = (at: number) =>
      proposal([{ name: 'auctionCloseOffsetMs', value: 450 }], { activationSlot: at });
    expect(checkBeforeSigning(offset(120), info, params)).toHaveLength(2);
    expect(refusal(() => checkBeforeSigning(offset(160), info, params))).toMatch(
      /auctionCloseOffsetMs \(450\) must be below slotMs \(400\)/,
    );
  });

  it('notes when lowering the timelock below its floor needs the supermajority', () => {
    const lower = proposal([{ name: 'timelockSlots', value: 2 }]);
    expect(checkBeforeSigning(lower, info, params)[1]).toMatch(
      /below the floor 5: needs the supermajority \(3 of 3\)/,
    );
  });
});

describe('gov CLI: sign refuses before adding a signature', () => {
  const run = async (argv: string[], files: Record<string, string>) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: GovCliIo = {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      readFile: (p) => files[p],
      writeFile: (p, t) => (files[p] = t),
    };
    const code = await govCli(argv, io, { defaultUrl: 'http://127.0.0.1:1' });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('an out-of-range value (even --offline), and an unknown option, exit 2 and leave the file unsigned', async () => {
    const text = JSON.stringify({ ...proposal([{ name: 'batchMaxBytes', value: 200_000 }]), signatures: [] });
    const files: Record<string, string> = { 'p.json': text };
    const r = await run(['sign', 'p.json', '--key', DEV_KEYS[1], '--offline'], files);
    expect(r).toMatchObject({
      code: 2,
      err: 'sealane gov: refused before signing: batchMaxBytes = 200000 is outside [1000, 120000] bytes',
    });
    expect(files['p.json']).toBe(text);
    expect((await run(['params', '--frobnicate'], files)).err).toMatch(/unknown option --frobnicate/);
  });

  it('signs a valid proposal offline and answers --json', async () => {
    const files: Record<string, string> = {
      'p.json': JSON.stringify({ ...proposal([{ name: 'reservePriceGwei', value: 5 }]), signatures: [] }),
    };
    const r = await run(['sign', 'p.json', '--key', DEV_KEYS[1], '--offline', '--json'], files);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ file: 'p.json', primaryType: 'ParamsProposal', signatures: 1 });
    const signed = JSON.parse(files['p.json']) as { signatures: string[] };
    expect(signed.signatures).toHaveLength(1);
    expect(new Wallet(DEV_KEYS[1]).address.toLowerCase()).toBe(DEV_GOV_MEMBERS[0]);
  });
});
