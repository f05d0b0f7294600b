export * from './compile';
export * from './inbox';
export * from './deploy';
export * from './amm';
