import type { BundleSimulation } from './types';
import { callBundleJson } from './call-bundle';

describe('callBundleJson', () => {
  it('has the Flashbots eth_callBundle shape: decimal wei strings, gas as numbers, value = return data', () => {
    const sim: BundleSimulation = {
      bundleHash: '0x' + '11'.repeat(32),
      txHashes: ['0x' + '22'.repeat(32)],
      stateBlockNumber: 7,
      valid: true,
      results: [
        {
          txHash: '0x' + '22'.repeat(32),
          fromAddress: '0x' + 'aa'.repeat(20),
          toAddress: null,
          nonce: 0,
          value: 5n,
          gasUsed: 53_000n,
          gasPrice: 2_000_000_000n,
          gasFees: 53_000_000_000_000n,
          coinbaseDiff: 63_000_000_000_000n,
          ethSentToCoinbase: 10_000_000_000_000n,
          returnData: '0x',
          reverted: true,
          error: 'execution reverted',
          revert: 'no',
        },
      ],
      coinbaseDiff: 63_000_000_000_000n,
      ethSentToCoinbase: 10_000_000_000_000n,
      gasFees: 53_000_000_000_000n,
      totalGasUsed: 53_000n,
      bundleGasPrice: 1_188_679_245n,
      reads: new Set(),
      writes: new Set(),
      nonces: [],
    };
    expect(callBundleJson(sim)).toEqual({
      bundleHash: sim.bundleHash,
      bundleGasPrice: '1188679245',
      coinbaseDiff: '63000000000000',
      ethSentToCoinbase: '10000000000000',
      gasFees: '53000000000000',
      results: [
        {
          txHash: sim.txHashes[0],
          gasUsed: 53_000,
          gasPrice: '2000000000',
          gasFees: '53000000000000',
          fromAddress: '0x' + 'aa'.repeat(20),
          toAddress: null,
          coinbaseDiff: '63000000000000',
          ethSentToCoinbase: '10000000000000',
          value: '0x',
          error: 'execution reverted',
          revert: 'no',
        },
      ],
      stateBlockNumber: 7,
      totalGasUsed: 53_000,
    });
  });
});
