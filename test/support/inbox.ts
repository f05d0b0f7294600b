/** An Inbox for a test's own poster, over the genesis of the L2 engine at `l2Url`. */
import { NonceManager, type Signer } from 'ethers';
import { deployInbox } from '@sealane/contracts';
import { L2Engine } from '@sealane/engine';

export async function deployTestInbox(deployer: Signer, poster: string, l2Url: string): Promise<string> {
  const engine = new L2Engine(l2Url);
  const genesis = await engine.getBlock(0);
  await engine.close();
  return deployInbox(new NonceManager(deployer), {
    poster,
    firstBlock: 1n,
    genesisHash: genesis!.hash,
    genesisConfig: new Uint8Array(),
  });
}
