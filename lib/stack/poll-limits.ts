/**
 * How long a poll may be held in AWS, and the concurrency it may take: the arithmetic behind
 * `pollWaitSeconds`, the read function's timeout and `pollConcurrency` (DEPLOY.md explains
 * the choice of defaults).
 */

/**
 * API Gateway HTTP APIs wait at most 30 s for an integration, a quota that cannot be raised;
 * then they answer 503 themselves while the function runs on, billed, until its own timeout.
 */
export const HTTP_API_INTEGRATION_LIMIT_S = 30;

/** The longest any function may run: below the HTTP API's limit, so the function always ends first. */
export const FUNCTION_TIMEOUT_LIMIT_S = HTTP_API_INTEGRATION_LIMIT_S - 1;

/**
 * What a poll needs besides its hold: the read function's timeout when it never holds. It lies
 * above the longest the store work of one poll can take before the code answers by itself
 * (the SDK's 3 attempts of at most 1 s to connect and 3 s to answer, with back-off, about
 * 12.5 s), so a slow store gets the documented JSON 503 rather than a Lambda timeout.
 */
export const POLL_STORE_BUDGET_S = 15;

/**
 * The longest hold the stack allows. A held poll ends at its deadline, but the re-check that
 * is under way then may take the store's worst case, so the read function needs
 * `wait + 15 s`; with at most 29 s, that leaves 29 - 15 = 14 s of waiting. The API allows
 * `wait` up to 25 s; a deployment may cap it lower, and this one must, unless the poll stops
 * waiting for a slow re-check at its deadline (a late "nothing new" is never wrong).
 */
export const MAX_POLL_WAIT_S = FUNCTION_TIMEOUT_LIMIT_S - POLL_STORE_BUDGET_S;

/** The read function's timeout for a hold of `waitSeconds` (15 s with no hold, 29 s with the longest). */
export const pollTimeoutSeconds = (waitSeconds: number): number => POLL_STORE_BUDGET_S + waitSeconds;

/** The re-check interval of a held poll: as the function itself accepts it (CHAT_WAIT_CHECK_MS). */
export const POLL_CHECK_MS = { min: 100, max: 60_000 } as const;

/**
 * The read function's concurrency budget when polls are held and `pollConcurrency` is `auto`:
 * a tenth of the default account quota of 1,000 per Region, so that the other functions, and
 * whatever else runs in the account, keep at least 900.
 */
export const DEFAULT_POLL_CONCURRENCY = 100;

/** The budget runs hot (an alarm) at this share of it. */
export const POLL_CONCURRENCY_ALARM_SHARE = 0.8;
