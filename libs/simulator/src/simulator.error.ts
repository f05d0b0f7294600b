/**
 * Errors the simulator throws. A bundle that fails (bad nonce, revert, ...) is not an error but
 * a result (`BundleSimulation.failure`); these are for calls that could not be answered, and are
 * internal: a caller sees the answer built from them, never them.
 */
import { InternalError } from '@sealane/protocol';

export type SimulatorErrorName = 'SimulationFailedError' | 'EmptyBundleError';

export abstract class SimulatorError extends InternalError {
  abstract override readonly name: SimulatorErrorName;
}

/** The engine could not be reached or answered something the simulator cannot read. */
export class SimulationFailedError extends SimulatorError {
  override readonly name = 'SimulationFailedError';
}

/** A bundle without transactions. */
export class EmptyBundleError extends SimulatorError {
  override readonly name = 'EmptyBundleError';
}
