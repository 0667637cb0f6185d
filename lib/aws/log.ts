/**
 * Structured JSON log lines through Powertools Logger: in Lambda each line carries the
 * request id and the cold-start flag (see `httpHandler`); locally the same lines go to the
 * terminal. `CHAT_LOG_SILENT=1` keeps only errors (the tests set it).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { runtimeInfo } from '#lib/config';

const runtime = runtimeInfo();

/** The service name is the stack's name in AWS (POWERTOOLS_SERVICE_NAME), `chat` elsewhere. */
export const logger = new Logger({ serviceName: runtime.serviceName });

export const log = {
  info: (message: string, fields: Record<string, unknown> = {}) => {
    if (!runtime.logSilent) logger.info(message, fields);
  },
  warn: (message: string, fields: Record<string, unknown> = {}) => {
    if (!runtime.logSilent) logger.warn(message, fields);
  },
  error: (message: string, fields: Record<string, unknown> = {}) => logger.error(message, fields),
};
