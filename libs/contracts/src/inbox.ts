import { Contract, ContractFactory, parseEther, type ContractRunner, type Signer } from 'ethers';
import { loadArtifact } from './compile';

/** What an Inbox is deployed with (contracts/Inbox.sol's constructor). */
export interface InboxDeployment {
  /** The only account that may append batches. */
  poster: string;
  /** The first L2 block the first batch must start with (block 0 is genesis). */
  firstBlock: bigint;
  /** Hash of the L2 genesis block. */
  genesisHash: string;
  /** The genesis config's canonical bytes (@sealane/engine encodeGenesis); empty publishes none. */
  genesisConfig: Uint8Array;
  /** What forceInclude costs, in wei (default 0.001 ETH). */
  forceInclusionFee?: bigint;
  /** Largest forced transaction, in bytes (default 64 KiB). */
  maxForcedTxBytes?: number;
}

export const DEFAULT_FORCE_INCLUSION_FEE = parseEther('0.001');
export const DEFAULT_MAX_FORCED_TX_BYTES = 64 * 1024;

/** Deploys the Inbox on L1 and returns its address. */
export async function deployInbox(signer: Signer, d: InboxDeployment): Promise<string> {
  const a = loadArtifact('Inbox');
  const factory = new ContractFactory(a.abi as never, a.bytecode, signer);
  const c = await factory.deploy(
    d.poster,
    d.firstBlock,
    d.genesisHash,
    d.genesisConfig,
    d.forceInclusionFee ?? DEFAULT_FORCE_INCLUSION_FEE,
    d.maxForcedTxBytes ?? DEFAULT_MAX_FORCED_TX_BYTES,
  );
  await c.waitForDeployment();
  return c.getAddress();
}

export function inboxContract(address: string, runner: ContractRunner): Contract {
  return new Contract(address, loadArtifact('Inbox').abi as never, runner);
}
