export * from './sealane-client';
