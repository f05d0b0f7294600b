export * from './codes';
export * from './jsonrpc';
export * from './params';
