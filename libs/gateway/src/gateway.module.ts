import { Module } from '@nestjs/common';
import { GatewayController } from './gateway.controller';
import { GatewayService } from './gateway.service';
import { ReadinessService } from './readiness';
import { signerRecoveryProviders } from './signer-recovery';
import { WsGateway } from './ws/ws-server';

@Module({
  controllers: [GatewayController],
  providers: [...signerRecoveryProviders, GatewayService, ReadinessService, WsGateway],
  exports: [GatewayService],
})
export class GatewayModule {}
