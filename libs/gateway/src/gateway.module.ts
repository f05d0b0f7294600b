import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';
import { DataApiController } from './data-api.controller';
import { DataApiService } from './data-api.service';
import { GatewayController } from './gateway.controller';
import { GatewayService } from './gateway.service';
import { ReadinessService } from './readiness';
import { signerRecoveryProviders } from './signer-recovery';
import { WsGateway } from './ws/ws-server';

@Module({
  controllers: [GatewayController, DataApiController, DashboardController],
  providers: [...signerRecoveryProviders, GatewayService, ReadinessService, WsGateway, DataApiService],
  exports: [GatewayService],
})
export class GatewayModule {}
