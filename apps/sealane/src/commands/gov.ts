/**
 * `sealane gov ...`: the app side of @sealane/governance's CLI (govCli), which builds, signs and
 * submits proposals through a gateway (default: this deployment's); here it gets the console
 * and the file system.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '@sealane/config';
import { govCli } from '@sealane/governance';

export function gov(argv: string[]): Promise<number> {
  const config = loadConfig();
  return govCli(
    argv,
    {
      out: (l) => console.log(l),
      err: (l) => console.error(l),
      readFile: (p) => readFileSync(p, 'utf8'),
      writeFile: (p, t) => writeFileSync(p, t),
    },
    { defaultUrl: `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}` },
  );
}
