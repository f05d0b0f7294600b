export * from './sealane-client';
export * from './searcher-call';
