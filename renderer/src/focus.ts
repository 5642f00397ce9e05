// Where keyboard focus goes after an action (issue 14): to the screen's heading or the element the action
// came from, never <body>, where a keyboard or screen-reader user would start again from the top.
import { useEffect, useRef } from 'react';

/** What the next navigation focuses instead of the heading (the "/" shortcut: the search box). */
let pendingSelector: string | null = null;

export function focusAfterNavigation(selector: string): void {
  pendingSelector = selector;
}

/** Focuses the open screen's heading (made focusable by script only: it is not a tab stop). */
export function focusScreenHeading(): void {
  const heading = document.querySelector<HTMLElement>('#main h2');
  if (heading === null) {
    document.getElementById('main')?.focus();
    return;
  }
  if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
  heading.focus();
}

/** Focuses the first element the selectors name that is on the page, else the screen's heading. */
export function focusOr(...selectors: string[]): void {
  for (const selector of selectors) {
    const element = document.querySelector<HTMLElement>(selector);
    if (element !== null && element.isConnected) {
      element.focus();
      return;
    }
  }
  focusScreenHeading();
}

/** After the screen (the location's path) changes, focus its heading, or what the shortcut asked for. */
export function useFocusOnNavigation(locationKey: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      // Opening the page: focus stays at its top, where the skip link is the first stop.
      first.current = false;
      return;
    }
    const selector = pendingSelector;
    pendingSelector = null;
    // After the new screen's first render has committed.
    const frame = requestAnimationFrame(() => (selector === null ? focusScreenHeading() : focusOr(selector)));
    return () => cancelAnimationFrame(frame);
  }, [locationKey]);
}

/**
 * The safety net: when the focused element disappears or is disabled by what it did (a button that
 * posts, imports or closes), focus would fall to <body>; it goes to the screen's heading instead.
 */
export function useFocusRescue(): void {
  useEffect(() => {
    const onFocusOut = (event: FocusEvent): void => {
      const left = event.target;
      if (!(left instanceof HTMLElement) || event.relatedTarget !== null) return;
      setTimeout(() => {
        if (document.activeElement !== document.body && document.activeElement !== null) return;
        const gone = !left.isConnected || (left as HTMLButtonElement).disabled === true || left.closest('dialog:not([open])') !== null;
        if (gone) focusScreenHeading();
      }, 0);
    };
    document.addEventListener('focusout', onFocusOut);
    return () => document.removeEventListener('focusout', onFocusOut);
  }, []);
}
