/**
 * The output root of an L2 block, as the Inbox stores one per batch (for the batch's last
 * block). OP Stack's shape: keccak256(version ‖ stateRoot ‖ messagePasserRoot ‖ blockHash),
 * 32 bytes each. Sealane has no L2-to-L1 message passer yet, so that root is 32 zero bytes.
 */
import { concat, keccak256, ZeroHash } from 'ethers';

export const OUTPUT_ROOT_VERSION = ZeroHash;

export function outputRoot(block: { stateRoot: string; hash: string }, messagePasserRoot = ZeroHash): string {
  return keccak256(concat([OUTPUT_ROOT_VERSION, block.stateRoot, messagePasserRoot, block.hash]));
}
