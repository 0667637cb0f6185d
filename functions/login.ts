/** Lambda: POST /api/login. It needs the session key only (no table); a missing setting stops the cold start. */
import { loadConfig, requireSessionKey } from '#lib/config';
import { sessionKeySource } from '#aws/session-key';
import { login } from '#http/handlers/login';

export const handler = login({ sessionKey: sessionKeySource(requireSessionKey(loadConfig())) });
