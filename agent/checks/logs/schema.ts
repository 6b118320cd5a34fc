import { Type, type Static } from '../../core/schema/type.js';

export const LOGS_DEFAULTS = {
  patterns: ['\\b(ERROR|FATAL)\\b', 'Exception', '错误|异常'],
  ignoreCase: false,
  encoding: 'utf8',
  fromStart: false,
  maxBytesPerScan: 8 * 1024 * 1024,
  maxFiles: 20,
  maxDepth: 2,
  minorCount: 1,
  majorCount: 20,
} as const;

export const logsSchema = Type.Object(
  {
    paths: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      maxItems: 32,
      description: 'log files to watch; a glob is allowed (e.g. "D:\\\\YbClient\\\\log\\\\*.log", "/var/log/his/**/*.log"); each entry is one subject',
    }),
    patterns: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        maxItems: 32,
        default: [...LOGS_DEFAULTS.patterns],
        description: 'regular expressions (JavaScript syntax); a line that matches any of them counts once',
      }),
    ),
    ignoreCase: Type.Optional(Type.Boolean({ default: LOGS_DEFAULTS.ignoreCase, description: 'match the patterns case-insensitively' })),
    encoding: Type.Optional(
      Type.Union([Type.Literal('utf8'), Type.Literal('gbk')], {
        default: LOGS_DEFAULTS.encoding,
        description: 'text encoding of the log files; Windows settlement clients usually write GBK',
      }),
    ),
    fromStart: Type.Optional(
      Type.Boolean({ default: LOGS_DEFAULTS.fromStart, description: 'on the very first scan read files from the beginning instead of from their end' }),
    ),
    maxBytesPerScan: Type.Optional(
      Type.Integer({ minimum: 4096, maximum: 268_435_456, default: LOGS_DEFAULTS.maxBytesPerScan, description: 'bytes read per scan at most, over all files of the check; the rest is read by later scans' }),
    ),
    maxFiles: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 500, default: LOGS_DEFAULTS.maxFiles, description: 'files followed per path entry at most (the most recently modified ones)' }),
    ),
    maxDepth: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 16, default: LOGS_DEFAULTS.maxDepth, description: 'how many directory levels "**" in a path may descend' }),
    ),
    minorCount: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000_000, default: LOGS_DEFAULTS.minorCount, description: 'LOG_ERRORS (minor) when a scan finds at least this many matching lines in one path entry' }),
    ),
    majorCount: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000_000, default: LOGS_DEFAULTS.majorCount, description: 'LOG_ERRORS (major) when a scan finds at least this many matching lines in one path entry' }),
    ),
  },
  { additionalProperties: false },
);

export type LogsConfig = Static<typeof logsSchema>;
export type LogEncoding = 'utf8' | 'gbk';

export interface ResolvedLogsConfig {
  paths: string[];
  patterns: string[];
  ignoreCase: boolean;
  encoding: LogEncoding;
  fromStart: boolean;
  maxBytesPerScan: number;
  maxFiles: number;
  maxDepth: number;
  minorCount: number;
  majorCount: number;
}

export function resolveLogsConfig(c: LogsConfig): ResolvedLogsConfig {
  return {
    paths: c.paths,
    patterns: c.patterns ?? [...LOGS_DEFAULTS.patterns],
    ignoreCase: c.ignoreCase ?? LOGS_DEFAULTS.ignoreCase,
    encoding: c.encoding ?? LOGS_DEFAULTS.encoding,
    fromStart: c.fromStart ?? LOGS_DEFAULTS.fromStart,
    maxBytesPerScan: c.maxBytesPerScan ?? LOGS_DEFAULTS.maxBytesPerScan,
    maxFiles: c.maxFiles ?? LOGS_DEFAULTS.maxFiles,
    maxDepth: c.maxDepth ?? LOGS_DEFAULTS.maxDepth,
    minorCount: c.minorCount ?? LOGS_DEFAULTS.minorCount,
    majorCount: c.majorCount ?? LOGS_DEFAULTS.majorCount,
  };
}

/** Compiles the patterns, throwing a clear error that names the bad one; also checks the count lines' order. */
export function compileLogsConfig(c: ResolvedLogsConfig): RegExp[] {
  if (c.minorCount > c.majorCount) {
    throw new Error(`logs: minorCount (${c.minorCount}) must not be above majorCount (${c.majorCount})`);
  }
  return c.patterns.map((p, i) => {
    try {
      return new RegExp(p, c.ignoreCase ? 'i' : '');
    } catch (err) {
      throw new Error(`logs: patterns[${i}] ("${p}") is not a valid regular expression: ${(err as Error).message}`);
    }
  });
}
