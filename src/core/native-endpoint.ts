/**
 * What a native-mount endpoint is to the gateway, decided from its method and canonical path before
 * anything is forwarded. Only endpoints a dialect lists are served: a path the meter does not know is
 * never forwarded unmetered by accident.
 *
 * - `metered`: billed from the request and the answer (chat, messages, generateContent…); the body is
 *   read whole (`json` or `multipart`) so it can be checked and estimated;
 * - `free`: costs nothing upstream and shows nothing of other customers (model lists, token counting);
 * - `later-billed`: starts work the provider bills outside this request (batches, fine-tuning…);
 * - `unknown`: anything else, including the provider's account-wide listings (files, stored
 *   completions, keys, credits), which would show every customer's data under the operator's key.
 *
 * `later-billed` and `unknown` endpoints are forwarded, unmetered, only when the operator allows
 * unpriced calls (`allow_unpriced_models`).
 */
export type NativeEndpoint =
  | { kind: 'metered'; body: 'json' | 'multipart' }
  | { kind: 'free' }
  | { kind: 'later-billed' }
  | { kind: 'unknown' };

export const FREE_ENDPOINT: NativeEndpoint = Object.freeze({ kind: 'free' });
export const LATER_BILLED_ENDPOINT: NativeEndpoint = Object.freeze({ kind: 'later-billed' });
export const UNKNOWN_ENDPOINT: NativeEndpoint = Object.freeze({ kind: 'unknown' });
export const METERED_JSON: NativeEndpoint = Object.freeze({ kind: 'metered', body: 'json' });
export const METERED_FORM: NativeEndpoint = Object.freeze({ kind: 'metered', body: 'multipart' });
