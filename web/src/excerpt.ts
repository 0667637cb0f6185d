/** How much of a message a notification, an announcement or a quote shows. */
export const EXCERPT_MAX = 200;

/** `text`, cut at EXCERPT_MAX characters with an ellipsis when it is longer. */
export const excerpt = (text: string): string => (text.length > EXCERPT_MAX ? `${text.slice(0, EXCERPT_MAX)}…` : text);
