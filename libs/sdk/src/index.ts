export * from './sealane-client';
export * from './searcher-call';
export * from './force-include';
