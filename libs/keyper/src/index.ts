/** @sealane/keyper — the keyper component and what the builder and gateway read of the keypers. */
export * from './keyper';
export * from './keyper-set';
export * from './release';
export * from './eon-keys';
export * from './slot-keys';
export * from './keyper.module';
