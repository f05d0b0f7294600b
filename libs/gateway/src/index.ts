export * from './gateway.module';
export * from './gateway.service';
export * from './gateway.http';
export * from './searcher-api';
export { MAX_BUNDLE_BYTES, MAX_BUNDLE_TXS } from './bundle-params';
export { DEFAULT_CALL_BUNDLE_LIMITS, type CallBundleLimits, type CallBundleRequest } from './call-bundle-api';
export * from './readiness';
