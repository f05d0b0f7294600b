/**
 * The operators' dashboard: GET / serves one HTML page (POST / stays JSON-RPC), GET /dashboard/*
 * its scripts and styles, and uPlot from node_modules. The page reads nothing but the public data
 * API, so it shows no more than that does: nothing of a slot before its block is sealed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** The page's files (in libs/gateway/assets/dashboard, copied to dist by scripts/copy-assets.js). */
export const DASHBOARD_DIR = join(__dirname, '..', 'assets', 'dashboard');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** Every file the page may ask for, and where it is. */
const FILES: Record<string, () => string> = {
  'dashboard.js': () => join(DASHBOARD_DIR, 'dashboard.js'),
  'tables.js': () => join(DASHBOARD_DIR, 'tables.js'),
  'charts.js': () => join(DASHBOARD_DIR, 'charts.js'),
  'dashboard.css': () => join(DASHBOARD_DIR, 'dashboard.css'),
  'uplot.js': () => require.resolve('uplot/dist/uPlot.iife.min.js'),
  'uplot.css': () => require.resolve('uplot/dist/uPlot.min.css'),
};

/** Same origin only: no CDN, no request anywhere else. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

@Controller()
export class DashboardController {
  private readonly files = new Map<string, Promise<Buffer>>();

  /** A file read once and kept (they are a few tens of kB). */
  private read(path: string): Promise<Buffer> {
    let f = this.files.get(path);
    if (!f) {
      f = readFile(path);
      this.files.set(path, f);
      f.catch(() => this.files.delete(path));
    }
    return f;
  }

  private async send(reply: FastifyReply, path: string): Promise<void> {
    const ext = path.slice(path.lastIndexOf('.') + 1);
    await reply
      .code(200)
      .header('content-type', TYPES[ext] ?? 'application/octet-stream')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(await this.read(path));
  }

  @Get()
  async index(@Res() reply: FastifyReply): Promise<void> {
    await this.send(reply, join(DASHBOARD_DIR, 'index.html'));
  }

  @Get('dashboard/:file')
  async asset(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    const where = Object.hasOwn(FILES, file) ? FILES[file] : undefined;
    if (!where) {
      await reply
        .code(404)
        .header('content-type', 'application/json')
        .send(JSON.stringify({ code: 'not-found', message: `no dashboard file ${file}` }));
      return;
    }
    await this.send(reply, where());
  }
}
