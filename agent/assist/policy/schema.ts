import { Type, type Static } from '../../core/schema/type.js';

/**
 * The `assist` config section: what the terminal's owner allows remote engineers to do. The agent enforces it before
 * anyone is asked; the desk can only ask. Cross-field rules (window times, target syntax) are in ./check-policy.ts.
 */
const strict = { additionalProperties: false } as const;

// The kinds of assistance: the protocol (agent/tunnel/protocol/constants.ts) re-exports them from here.
export const ASSIST_KINDS = ['diag', 'shell', 'forward'] as const;
export type AssistKind = (typeof ASSIST_KINDS)[number];

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

export const MaintenanceWindowSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'named in the audit record of every request it approves' }),
    days: Type.Array(Type.Union(WEEKDAYS.map((d) => Type.Literal(d))), {
      minItems: 1,
      uniqueItems: true,
      description: 'weekdays the window starts on (sun..sat), in the terminal\'s local time',
    }),
    from: Type.String({ pattern: HHMM, description: 'start, HH:MM local time' }),
    to: Type.String({
      pattern: HHMM,
      description: 'end, HH:MM local time, exclusive; earlier than `from` means the window runs overnight into the next day',
    }),
  },
  { ...strict, description: 'a pre-approved maintenance window: requests the policy allows are approved without asking, and recorded so' },
);

export const ShellPolicySchema = Type.Object(
  {
    user: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$',
        description: 'the local account the shell runs as (login name); never root. Unset: the agent\'s own account, which must not be root',
      }),
    ),
    command: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
        minItems: 1,
        maxItems: 32,
        description: 'program and arguments to run in the terminal, the program as an absolute path; default: the account\'s login shell, /bin/sh if it has none',
      }),
    ),
    cwd: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'working directory (absolute); default: the account\'s home, / if it does not exist' })),
  },
  { ...strict, default: {}, description: 'the interactive shell (when assist.kinds.shell is on): whose account, which program; every shell is recorded' },
);

export const AssistSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ default: false, description: 'accept remote-assistance requests from the desk at all' })),
    kinds: Type.Optional(
      Type.Object(
        {
          diag: Type.Optional(Type.Boolean({ default: true, description: 'fixed diagnostic actions (no free-form commands)' })),
          forward: Type.Optional(Type.Boolean({ default: true, description: 'TCP forwarding to the allow-listed targets only' })),
          shell: Type.Optional(Type.Boolean({ default: false, description: 'an interactive shell; off unless the owner turns it on' })),
        },
        { ...strict, default: {}, description: 'the kinds of session an engineer may ask for' },
      ),
    ),
    forwardTargets: Type.Optional(
      Type.Array(Type.String({ minLength: 3, maxLength: 260, description: 'host:port ([v6]:port); no wildcards' }), {
        default: ['127.0.0.1:5900', '127.0.0.1:3389'],
        uniqueItems: true,
        maxItems: 64,
        description: 'the only targets a forward may connect to, compared as written (no DNS); the default is loopback VNC and RDP',
      }),
    ),
    maxDurationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 480, default: 60, description: 'longest session; longer requests are refused' })),
    idleTimeoutMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 240, default: 15, description: 'a session with no traffic this long ends' })),
    maxConcurrentSessions: Type.Optional(Type.Integer({ minimum: 1, maximum: 4, default: 1, description: 'sessions pending or running at once' })),
    bandwidthBytesPerSecond: Type.Optional(
      Type.Integer({ minimum: 8192, maximum: 1_073_741_824, default: 1_048_576, description: 'cap on one session\'s channel data, both directions together' }),
    ),
    consentTimeoutSeconds: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 600, default: 120, description: 'how long the operator is asked; no answer is a denial' }),
    ),
    shell: Type.Optional(ShellPolicySchema),
    maintenanceWindows: Type.Optional(
      Type.Array(MaintenanceWindowSchema, { default: [], maxItems: 32, description: 'pre-approved windows for unattended servers; a request is approved by one only if it ends inside it' }),
    ),
  },
  { ...strict, default: {}, description: 'remote assistance: what the terminal\'s owner allows; nothing runs without consent or a window' },
);

export type MaintenanceWindow = Static<typeof MaintenanceWindowSchema>;
export type ShellPolicy = Static<typeof ShellPolicySchema>;

/** The section as the agent uses it: every default filled. */
export interface AssistPolicy {
  enabled: boolean;
  kinds: Record<AssistKind, boolean>;
  forwardTargets: string[];
  maxDurationMinutes: number;
  idleTimeoutMinutes: number;
  maxConcurrentSessions: number;
  bandwidthBytesPerSecond: number;
  consentTimeoutSeconds: number;
  maintenanceWindows: MaintenanceWindow[];
  /** The loader always fills it (`{}` by default); a policy written by hand may leave it out, which reads as `{}`. */
  shell?: ShellPolicy;
}
