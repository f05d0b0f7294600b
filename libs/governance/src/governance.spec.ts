import { Wallet } from 'ethers';
import { DEV_GOV_MEMBERS, DEV_KEYS } from '@sealane/config';
import { DEFAULT_PARAMS, type Params } from '@sealane/params';
import {
  ActivationTooEarlyError,
  DuplicateSignerError,
  InvalidProposalError,
  InvalidSignatureError,
  NonceOutOfWindowError,
  NonceReusedError,
  NotMemberError,
  ParamOutOfRangeError,
  StaleNonceError,
  UnknownParameterError,
  WrongDomainError,
} from '@sealane/protocol';
import { composeVersions, type ScheduledChange } from './compose';
import {
  checkActivation,
  checkChanges,
  checkDomain,
  checkNonce,
  NONCE_WINDOW,
  effectiveSlot,
  memberSignatures,
  requiredSignatures,
  type GovernancePolicy,
} from './rules';
import {
  deploymentSalt,
  digest,
  governanceDomain,
  parseSignedRequest,
  typedData,
  type ParamsProposal,
} from './typed-data';

const INBOX = '0x' + '11'.repeat(20);
const domain = governanceDomain(24225, deploymentSalt('sealane', { inbox: INBOX }));
const policy: GovernancePolicy = {
  chainId: 24225,
  members: [...DEV_GOV_MEMBERS],
  threshold: 2,
  supermajority: 3,
  timelockFloorSlots: 5,
};
const member = (i: 1 | 2 | 3) => new Wallet(DEV_KEYS[i]);
const proposal: ParamsProposal = {
  changes: [
    { name: 'auctionPricing', value: 1 },
    { name: 'reservePriceGwei', value: 1000 },
  ],
  activationSlot: 120,
  nonce: 7,
  chainId: 24225,
};
const td = typedData(domain, 'ParamsProposal', proposal);
const { EIP712Domain: _d, ...types } = td.types;
const sign = (w: Wallet, d = domain, m: ParamsProposal = proposal) => w.signTypedData(d, types, m);

describe('typed data', () => {
  it('matches ethers: the digest is what wallets sign, and signers recover natively', async () => {
    const id = digest(domain, 'ParamsProposal', proposal);
    const sigs = [await sign(member(1)), await sign(member(2))];
    expect(memberSignatures(id, sigs, policy).map((s) => s.member)).toEqual(policy.members.slice(0, 2));
  });

  it('binds the chain and the deployment: each changes the digest', () => {
    const id = digest(domain, 'ParamsProposal', proposal);
    const otherChain = governanceDomain(1, domain.salt);
    const otherDeployment = governanceDomain(24225, deploymentSalt('other', { inbox: INBOX }));
    const otherInbox = governanceDomain(24225, deploymentSalt('sealane', { inbox: '0x' + '22'.repeat(20) }));
    for (const d of [otherChain, otherDeployment, otherInbox])
      expect(digest(d, 'ParamsProposal', proposal)).not.toBe(id);
  });

  it('decodes a request and refuses malformed ones', () => {
    const req = parseSignedRequest('ParamsProposal', {
      domain,
      message: proposal,
      signatures: ['0x' + '00'.repeat(65)],
    });
    expect(req.message).toEqual(proposal);
    expect(() => parseSignedRequest('ParamsProposal', { domain, message: proposal, signatures: [] })).toThrow(
      InvalidProposalError,
    );
    expect(() =>
      parseSignedRequest('ParamsProposal', { domain, message: { ...proposal, changes: [] }, signatures: [] }),
    ).toThrow(InvalidProposalError);
    expect(() =>
      parseSignedRequest('ParamsProposal', {
        domain,
        primaryType: 'EmergencyAction',
        message: proposal,
        signatures: [],
      }),
    ).toThrow(/primaryType/);
  });
});

describe('rejections', () => {
  it('a value outside its range', () => {
    expect(() => checkChanges([{ name: 'auctionPricing', value: 2 }])).toThrow(ParamOutOfRangeError);
    expect(() => checkChanges([{ name: 'slotMs', value: 100 }])).toThrow(/outside \[250, 60000\]/);
  });

  it('an unknown parameter (including inherited object keys)', () => {
    expect(() => checkChanges([{ name: 'warpDrive', value: 1 }])).toThrow(UnknownParameterError);
    expect(() => checkChanges([{ name: 'toString', value: 1 }])).toThrow(UnknownParameterError);
  });

  it('the same parameter twice', () => {
    expect(() =>
      checkChanges([
        { name: 'slotMs', value: 1000 },
        { name: 'slotMs', value: 2000 },
      ]),
    ).toThrow(InvalidProposalError);
  });

  it('a stale or reused nonce', () => {
    expect(() => checkNonce(3, 5)).toThrow(StaleNonceError);
    expect(() => checkNonce(5, 6, '0xabc')).toThrow(NonceReusedError);
    expect(() => checkNonce(6, 6)).not.toThrow();
    expect(() => checkNonce(9, 6)).not.toThrow();
  });

  it('a nonce at or beyond the next one + the window', () => {
    expect(() => checkNonce(6 + NONCE_WINDOW - 1, 6)).not.toThrow();
    expect(() => checkNonce(6 + NONCE_WINDOW, 6)).toThrow(NonceOutOfWindowError);
    expect(() => checkNonce(Number.MAX_SAFE_INTEGER, 0)).toThrow(/window of 16/);
    expect(() => checkNonce(3, 0, undefined, 3)).toThrow(NonceOutOfWindowError);
  });

  it('a replay on another chain or another deployment', () => {
    expect(() => checkDomain(governanceDomain(1, domain.salt), 24225, domain)).toThrow(WrongDomainError);
    expect(() => checkDomain(domain, 1, domain)).toThrow(/chain 1/);
    const other = governanceDomain(24225, deploymentSalt('other', { inbox: INBOX }));
    expect(() => checkDomain(other, 24225, domain)).toThrow(/another deployment/);
    expect(() => checkDomain(domain, 24225, domain)).not.toThrow();
  });

  it('a signature from a non-member, or made for another deployment', async () => {
    const id = digest(domain, 'ParamsProposal', proposal);
    const outsider = await sign(new Wallet(DEV_KEYS[5]));
    expect(() => memberSignatures(id, [outsider], policy)).toThrow(NotMemberError);
    const elsewhere = await sign(member(1), governanceDomain(1, domain.salt));
    expect(() => memberSignatures(id, [elsewhere], policy)).toThrow(NotMemberError);
  });

  it('a duplicate signer, in one request or across approvals', async () => {
    const id = digest(domain, 'ParamsProposal', proposal);
    const s1 = await sign(member(1));
    expect(() => memberSignatures(id, [s1, s1], policy)).toThrow(DuplicateSignerError);
    expect(() => memberSignatures(id, [s1], policy, [policy.members[0]])).toThrow(DuplicateSignerError);
  });

  it('a malformed or malleable signature', async () => {
    const id = digest(domain, 'ParamsProposal', proposal);
    const s1 = await sign(member(1));
    expect(() => memberSignatures(id, [s1.slice(0, -2) + '05'], policy)).toThrow(InvalidSignatureError);
    // s -> n - s with the parity flipped recovers the same key: refused.
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt('0x' + s1.slice(66, 130));
    const v = parseInt(s1.slice(130), 16);
    const flipped = s1.slice(0, 66) + (n - s).toString(16).padStart(64, '0') + (v === 27 ? '1c' : '1b');
    expect(() => memberSignatures(id, [flipped], policy)).toThrow(/malleable/);
  });

  it('activation too early for the timelock', () => {
    expect(() => checkActivation(109, 100, 10)).toThrow(ActivationTooEarlyError);
    expect(() => checkActivation(110, 100, 10)).not.toThrow();
    expect(() => checkActivation(0, 100, 10)).not.toThrow();
    // Never the open slot, even with the least timelock.
    expect(() => checkActivation(100, 100, 1)).toThrow(ActivationTooEarlyError);
  });
});

describe('quorum', () => {
  it('needs the threshold', () => {
    expect(requiredSignatures(proposal.changes, policy)).toEqual({ required: 2 });
  });

  it('needs the supermajority to set the timelock below its floor, the threshold at or above it', () => {
    const below = requiredSignatures([{ name: 'timelockSlots', value: 4 }], policy);
    expect(below.required).toBe(3);
    expect(below.reason).toMatch(/below the floor 5/);
    expect(requiredSignatures([{ name: 'timelockSlots', value: 5 }], policy).required).toBe(2);
    expect(requiredSignatures([{ name: 'timelockSlots', value: 50 }], policy).required).toBe(2);
  });
});

describe('activation at a slot boundary', () => {
  it('is the first slot at or after both the request and the open slot plus the timelock', () => {
    expect(effectiveSlot(120, 100, 10)).toBe(120);
    expect(effectiveSlot(120, 115, 10)).toBe(125);
    expect(effectiveSlot(0, 100, 10)).toBe(110);
    expect(effectiveSlot(0, 100, 0)).toBe(101);
  });

  const change = (
    id: string,
    slot: number,
    seq: number,
    changes: ScheduledChange['changes'],
  ): ScheduledChange => ({
    proposalId: id,
    activationSlot: slot,
    seq,
    changes,
  });
  /** What ParamsStore.snapshot does over the index: the highest activation slot not after `slot`. */
  const at = (base: Params, versions: { activationSlot: number; values: Params }[], slot: number): Params =>
    versions.filter((v) => v.activationSlot <= slot).at(-1)?.values ?? base;

  it('switches exactly at the boundary: old values up to A - 1, new ones from A', () => {
    const v = composeVersions(
      DEFAULT_PARAMS,
      [change('p', 120, 1, [{ name: 'auctionPricing', value: 1 }])],
      120,
    );
    expect(v).toHaveLength(1);
    expect(at(DEFAULT_PARAMS, v, 119).auctionPricing).toBe(0);
    expect(at(DEFAULT_PARAMS, v, 120).auctionPricing).toBe(1);
    expect(at(DEFAULT_PARAMS, v, 121).auctionPricing).toBe(1);
  });

  it('composes: a change scheduled later but activating earlier is in every later version', () => {
    const late = change('late', 200, 1, [{ name: 'reservePriceGwei', value: 5 }]);
    const early = change('early', 150, 2, [
      { name: 'reservePriceGwei', value: 7 },
      { name: 'auctionPricing', value: 1 },
    ]);
    const v = composeVersions(DEFAULT_PARAMS, [late, early], 150);
    expect(v.map((x) => x.activationSlot)).toEqual([150, 200]);
    expect(v[0].values).toMatchObject({ reservePriceGwei: 7, auctionPricing: 1 });
    // The version at 200 keeps the earlier-activating pricing change; its own reserve wins.
    expect(v[1].values).toMatchObject({ reservePriceGwei: 5, auctionPricing: 1 });
  });

  it('breaks ties at one slot by order (later wins), merging them into one version', () => {
    const v = composeVersions(
      DEFAULT_PARAMS,
      [
        change('b', 150, 2, [{ name: 'reservePriceGwei', value: 9 }]),
        change('a', 150, 1, [{ name: 'reservePriceGwei', value: 3 }]),
      ],
      150,
    );
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ proposals: ['a', 'b'], values: { reservePriceGwei: 9 } });
  });

  it('refuses a fold that breaks a rule between parameters', () => {
    expect(() =>
      composeVersions(
        DEFAULT_PARAMS,
        [change('x', 150, 1, [{ name: 'auctionCloseOffsetMs', value: 5000 }])],
        150,
      ),
    ).toThrow(InvalidProposalError);
  });
});
