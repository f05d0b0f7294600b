import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SealaneMetrics } from '@sealane/observe';
import { GatewayService } from './gateway.service';
import { ReadinessService } from './readiness';

/** JSON-RPC 2.0 over HTTP: POST / with a request or a batch. */
@Controller()
export class GatewayController {
  constructor(
    private readonly gateway: GatewayService,
    private readonly readiness: ReadinessService,
    private readonly metrics: SealaneMetrics,
  ) {}

  @Post()
  @HttpCode(200)
  async rpc(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = typeof req.body === 'string' ? req.body : '';
    const out = await this.gateway.handle(body, req.headers);
    if (out === undefined) {
      await reply.code(204).send();
      return;
    }
    await reply.code(200).header('content-type', 'application/json').send(JSON.stringify(out));
  }

  /** Liveness: the process answers. Whether it can work is /ready. */
  @Get('health')
  health(): { ok: true } {
    return { ok: true };
  }

  /** Readiness: 200 when every required check passes, else 503, with each check's result. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const r = await this.readiness.check();
    await reply
      .code(r.ready ? 200 : 503)
      .header('content-type', 'application/json')
      .send(JSON.stringify(r));
  }

  /** Prometheus scrape: every series this process records (README "Metrics"). */
  @Get('metrics')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    if (!this.metrics.enabled) {
      await reply
        .code(404)
        .header('content-type', 'text/plain')
        .send('metrics are off (METRICS_ENABLED=false)\n');
      return;
    }
    await reply
      .code(200)
      .header('content-type', this.metrics.contentType)
      .send(await this.metrics.scrape());
  }
}
