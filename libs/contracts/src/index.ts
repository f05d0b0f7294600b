export * from './compile';
export * from './inbox';
