export * from './params';
export * from './params.store';
