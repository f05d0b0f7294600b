import { Contract, ContractFactory, type ContractRunner, type Signer } from 'ethers';
import { loadArtifact } from './compile';

/** Deploys the Inbox on L1; only `poster` may append, and the first batch must start at `firstBlock`. */
export async function deployInbox(signer: Signer, poster: string, firstBlock: bigint): Promise<string> {
  const a = loadArtifact('Inbox');
  const factory = new ContractFactory(a.abi as never, a.bytecode, signer);
  const c = await factory.deploy(poster, firstBlock);
  await c.waitForDeployment();
  return c.getAddress();
}

export function inboxContract(address: string, runner: ContractRunner): Contract {
  return new Contract(address, loadArtifact('Inbox').abi as never, runner);
}
