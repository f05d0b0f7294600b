import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { Component, SealaneConfig } from '@sealane/config';
import { CoreModule, type Endpoints } from '@sealane/core';
import { GatewayModule } from '@sealane/gateway';
import { BuilderModule } from '@sealane/builder';
import { PosterModule } from '@sealane/poster';
import { KeyperModule } from '@sealane/keyper';

const COMPONENT_MODULES: Record<Component, Type> = {
  gateway: GatewayModule,
  builder: BuilderModule,
  poster: PosterModule,
  keyper: KeyperModule,
};

/** The same code for one process or many: the settings choose which components run here. */
@Module({})
export class AppModule {
  static forRoot(config: SealaneConfig, endpoints: Endpoints): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config, endpoints), ...config.COMPONENTS.map((c) => COMPONENT_MODULES[c])],
    };
  }
}
