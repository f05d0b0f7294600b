import { simBundle } from './auction.runner';

describe('simBundle', () => {
  const txs = ['0x01', '0x02'];
  it('hands the simulator the senders recovered at intake, so it does not recover them again', () => {
    expect(simBundle({ txs, senders: ['0xaa', '0xbb'], revertingTxHashes: ['0xh'] })).toEqual({
      txs: [
        { raw: '0x01', from: '0xaa' },
        { raw: '0x02', from: '0xbb' },
      ],
      revertingTxHashes: ['0xh'],
    });
  });

  it('leaves a bundle stored without senders (an older gateway) to be recovered', () => {
    expect(simBundle({ txs, revertingTxHashes: [] })).toEqual({ txs, revertingTxHashes: [] });
  });
});
