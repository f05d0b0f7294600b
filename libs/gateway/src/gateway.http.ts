/**
 * HTTP set-up for the gateway: bodies arrive as strings so the JSON-RPC layer answers a parse
 * error itself, and anything Fastify refuses (an oversized body, say) still gets a JSON-RPC
 * error body, through one Nest exception filter.
 */
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { JSONRPC } from '@sealane/rpc';

@Catch()
export class JsonRpcHttpFilter implements ExceptionFilter {
  private readonly logger = new Logger('gateway');
  constructor(private readonly maxBodyBytes: number) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const e = err as { code?: string; statusCode?: number; message?: string };
    const status =
      err instanceof HttpException
        ? err.getStatus()
        : e.statusCode && e.statusCode >= 400 && e.statusCode < 600
          ? e.statusCode
          : 500;
    let message = status < 500 ? (e.message ?? 'bad request') : 'internal error';
    if (status === 413) message = `request body exceeds ${this.maxBodyBytes} bytes`;
    if (status >= 500) this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    const code = status >= 500 ? JSONRPC.INTERNAL_ERROR : JSONRPC.INVALID_REQUEST;
    void reply
      .code(status)
      .header('content-type', 'application/json')
      .send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
  }
}

export function configureGatewayHttp(app: NestFastifyApplication, maxBodyBytes: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit: maxBodyBytes }, (_req, body, done) =>
    done(null, body),
  );
  app.useGlobalFilters(new JsonRpcHttpFilter(maxBodyBytes));
}
