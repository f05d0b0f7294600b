/**
 * Errors the simulator throws. A bundle that fails (bad nonce, revert, ...) is not an error but
 * a result (`BundleSimulation.failure`); these are for calls that could not be answered.
 */
export type SimulatorErrorName = 'SimulationFailedError' | 'EmptyBundleError';

export abstract class SimulatorError extends Error {
  abstract override readonly name: SimulatorErrorName;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The engine could not be reached or answered something the simulator cannot read. */
export class SimulationFailedError extends SimulatorError {
  override readonly name = 'SimulationFailedError';
}

/** A bundle without transactions. */
export class EmptyBundleError extends SimulatorError {
  override readonly name = 'EmptyBundleError';
}
