export { createLogger, type LoggerOptions, type LogLevel } from './logger.js';
export { FailureLog } from './failure-log.js';
export { RotatingFileDestination, type RotatingFileOptions } from './rotating-file.js';
export { REDACTED_KEYS, REDACT_DEPTH, REDACT_CENSOR, redactPaths } from './redaction.js';
