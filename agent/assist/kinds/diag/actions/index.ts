import { Type } from '../../../../core/schema/type.js';
import { buildBundle } from '../bundle.js';
import { json, type DiagAction } from './action.js';
import { rescanDevices, runChecks, testEndpoint } from './checks.js';
import { tailLog } from './logs.js';
import { report } from './report.js';

const NO_ARGS = Type.Object({}, { additionalProperties: false });

const status: DiagAction = {
  name: 'status',
  args: NO_ARGS,
  run: async (_args, host) => {
    const s = host.status();
    return { contentType: 'application/json', body: json(s), summary: `overall ${s.overall}, ${s.faults.length} active fault${s.faults.length === 1 ? '' : 's'}` };
  },
};

const bundle: DiagAction = {
  name: 'bundle',
  args: NO_ARGS,
  run: async (_args, host) => {
    const b = await buildBundle(host);
    return { contentType: 'application/gzip', body: b.gzip, fileName: b.fileName, summary: `bundle ${Math.max(1, Math.round(b.gzip.length / 1024))} KB, ${b.files.length} entries` };
  },
};

/** The fixed allowlist: nothing else can run through a diag channel. */
export const DIAG_ACTIONS: readonly DiagAction<never>[] = [runChecks, status, tailLog, bundle, testEndpoint, rescanDevices, report] as DiagAction<never>[];

export const diagAction = (name: string): DiagAction<never> | undefined => DIAG_ACTIONS.find((a) => a.name === name);
export { DiagArgsError, type DiagAction, type DiagAnswer } from './action.js';
