export * from './typed-data';
export * from './rules';
export * from './compose';
export * from './governance.port';
export * from './governance.error';
export * from './governance';
export * from './gov-cli';
