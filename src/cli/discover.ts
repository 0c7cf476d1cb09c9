// `mat-than discover`: WS-Discovery from the command line. Prints candidates only; registering one
// is a deliberate POST /api/cameras with its credentials.

import { loadConfig } from '../config.js';
import { isMatThanError } from '../errors.js';
import { discoverOnvif, type DiscoveryCandidate } from '../onvif/discovery.js';

export interface DiscoverArgs {
  targets?: string;
  interface?: string;
  timeout?: string;
  port?: string;
  json?: boolean;
}

/** One line per camera: address, the first device URL, name and hardware when the camera gives them. */
export function formatCandidate(c: DiscoveryCandidate): string {
  return [c.from, c.xaddrs[0] ?? '-', c.name ?? '', c.hardware ?? '', c.uuid].join('\t');
}

function intArg(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer (got '${raw}')`);
  return n;
}

/** Returns the exit code: 0 with or without candidates, 2 for bad arguments, 1 when the scan could not run. */
export async function discoverCommand(args: DiscoverArgs): Promise<number> {
  try {
    const targets = args.targets?.split(',').map((t) => t.trim()).filter(Boolean);
    const candidates = await discoverOnvif({
      targets, interfaceAddress: args.interface, timeoutMs: intArg('timeout', args.timeout),
      port: intArg('port', args.port) ?? loadConfig().onboarding.discoveryPort,
    });
    process.stdout.write(args.json ? `${JSON.stringify(candidates, null, 2)}\n` : candidates.map((c) => `${formatCandidate(c)}\n`).join(''));
    if (!args.json) process.stderr.write(`${candidates.length} camera(s) answered\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`mat-than discover: ${(err as Error).message}\n`);
    return isMatThanError(err, 'ONVIF_DISCOVERY_TARGET_INVALID') || !isMatThanError(err) ? 2 : 1;
  }
}
