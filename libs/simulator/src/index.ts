export * from './bundle-simulator';
export * from './call-bundle';
export * from './revert';
export * from './simulator.error';
export { slotContext } from './slot-context';
export * from './state-keys';
export * from './types';
