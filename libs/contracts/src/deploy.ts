import { Interface, type InterfaceAbi } from 'ethers';
import { loadArtifact } from './compile';

/** The ABI of a compiled contract, for encoding calls and decoding results, events and errors. */
export function contractInterface(name: string): Interface {
  return new Interface(loadArtifact(name).abi as InterfaceAbi);
}

/**
 * Creation code of a compiled contract with its constructor arguments appended: the `data` of a
 * deployment transaction. For engines that seal only on request (the L2 engine runs with
 * automine off), where the caller signs, sends and mines the transaction itself.
 */
export function deployData(name: string, args: readonly unknown[] = []): string {
  return loadArtifact(name).bytecode + contractInterface(name).encodeDeploy(args).slice(2);
}
