export {
  assertPortFree,
  DEFAULT_MAX_LOG_BYTES,
  EmbeddedStartError,
  freePort,
  type ManagedProcess,
} from './processes';
export { RotatingLog } from './rotating-log';
export * from './embedded';
