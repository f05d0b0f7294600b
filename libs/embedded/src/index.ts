export { EmbeddedStartError, freePort } from './processes';
export * from './embedded';
