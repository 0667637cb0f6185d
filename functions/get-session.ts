/** Lambda: GET /api/session. It needs the session key only (no table); a missing setting stops the cold start. */
import { loadConfig, requireSessionKey } from '#lib/config';
import { sessionKeySource } from '#aws/session-key';
import { getSession } from '#http/handlers/get-session';

export const handler = getSession({ sessionKey: sessionKeySource(requireSessionKey(loadConfig())) });
