/**
 * Every error code of the API and the status it travels with: one list, shared by the
 * server (which may only throw these) and the page (which tells them apart).
 */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_name: 400,
  invalid_room: 400,
  invalid_text: 400,
  invalid_cursor: 400,
  invalid_client_id: 400,
  invalid_limit: 400,
  invalid_format: 400,
  invalid_wait: 400,
  invalid_state: 400,
  invalid_presence: 400,
  invalid_link: 400,
  invalid_emoji: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  message_deleted: 409,
  reaction_limit: 409,
  payload_too_large: 413,
  headers_too_large: 431,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The codes of a 400 answer: a value the client sent is not acceptable. */
export type BadRequestCode = { [C in ErrorCode]: (typeof ERROR_STATUS)[C] extends 400 ? C : never }[ErrorCode];
