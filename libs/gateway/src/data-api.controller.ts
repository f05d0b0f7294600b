/**
 * The public data API over HTTP GET under /data/v1 (README "Dashboard and data API"): JSON arrays
 * of flat records, newest first; the cursor of the next page in the `x-next-cursor` header. A bad
 * query is answered 400 with `{ code, message }`, an unknown route 404, a store that cannot be
 * read 503. Readable from any origin: every record is public once its slot is sealed.
 */
import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataApiError } from './data-api.query';
import { DataApiService, type Page } from './data-api.service';

export const NEXT_CURSOR_HEADER = 'x-next-cursor';

/** Each route's handler, by its name under /data/v1. */
const ROUTES: Record<string, (d: DataApiService, query: unknown) => Promise<unknown>> = {
  status: (d, q) => d.status(q),
  slots: (d, q) => d.slots(q),
  bids: (d, q) => d.bids(q),
  winners: (d, q) => d.winners(q),
  refunds: (d, q) => d.refunds(q),
  commitments: (d, q) => d.commitments(q),
  batches: (d, q) => d.batches(q),
  governance: (d, q) => d.governanceHistory(q),
};

@Controller('data/v1')
export class DataApiController {
  private readonly logger = new Logger('data-api');

  constructor(private readonly data: DataApiService) {}

  @Get(':route')
  route(
    @Param('route') route: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const handler = Object.hasOwn(ROUTES, route) ? ROUTES[route] : undefined;
    return this.answer(req, reply, async () => {
      if (!handler) throw notFound(req);
      return handler(this.data, req.query);
    });
  }

  /** Deeper paths (/data/v1/a/b) are no route either. */
  @Get('*')
  unknown(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(req, reply, async () => {
      throw notFound(req);
    });
  }

  private async answer(
    req: FastifyRequest,
    reply: FastifyReply,
    make: () => Promise<unknown>,
  ): Promise<void> {
    void reply
      .header('access-control-allow-origin', '*')
      .header('access-control-expose-headers', NEXT_CURSOR_HEADER)
      .header('cache-control', 'no-store')
      .header('content-type', 'application/json');
    let body: unknown;
    try {
      body = await this.data.cached(req.url, make);
    } catch (e) {
      const err =
        e instanceof DataApiError
          ? e
          : new DataApiError('unavailable', 'the sequencer store cannot be read now; try again', 503);
      if (!(e instanceof DataApiError)) this.logger.warn(`${req.url}: ${(e as Error).message}`);
      await reply.code(err.status).send(JSON.stringify({ code: err.code, message: err.message }));
      return;
    }
    if (isPage(body)) {
      if (body.next !== null) void reply.header(NEXT_CURSOR_HEADER, String(body.next));
      body = body.rows;
    }
    await reply.code(200).send(JSON.stringify(body));
  }
}

const notFound = (req: FastifyRequest) =>
  new DataApiError('not-found', `no data route ${req.url.split('?')[0]}`, 404);

function isPage(v: unknown): v is Page<unknown> {
  return typeof v === 'object' && v !== null && Array.isArray((v as Page<unknown>).rows) && 'next' in v;
}
