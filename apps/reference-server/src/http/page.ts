/**
 * The console's HTML pages (and its sign-in) answered as one string. A page
 * from Hono's `html` tag is a `String` object, and `c.html` passes it on as
 * it is. The Node adapter takes only a primitive string as a body it can
 * write as it is: given the object, it builds a Web Response around the page
 * and reads the page back out of that response's stream before writing it.
 * Handed the page's text, it writes the answer at once (issue 16).
 */
import type { Context } from 'hono';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Answers with `page` as `text/html`. Pages here render synchronously: the
 * `html` tag's type allows a promise (a page interpolating one) and callbacks
 * (async components), and either is a programming error.
 *
 * @example
 * return sendPage(c, renderSignInPage({ oidc: true, basic: false }), 401);
 */
export function sendPage(
  c: Context,
  page: HtmlEscapedString | Promise<HtmlEscapedString>,
  status?: ContentfulStatusCode,
): Response {
  if (page instanceof Promise || page.callbacks?.length) {
    throw new TypeError(
      'sendPage takes a rendered page; this one is still waiting on a promise or callback',
    );
  }
  return c.html(page.toString(), status);
}
