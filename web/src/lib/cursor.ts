import { useCallback, useState } from 'react';

/**
 * Cursor paging (`before` = the last id of the previous page): a stack of the cursors walked, so "newer"
 * goes back exactly to the page seen before.
 */
export function useCursor() {
  const [stack, setStack] = useState<Array<string | undefined>>([undefined]);
  const current = stack[stack.length - 1];
  const forward = useCallback((next: string | null | undefined) => {
    if (next) setStack((s) => [...s, next]);
  }, []);
  const back = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([undefined]), []);
  return { current, canBack: stack.length > 1, forward, back, reset };
}
