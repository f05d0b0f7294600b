export * from './rpc-client';
export * from './l2-engine';
export * from './genesis';
export * from './replay';
