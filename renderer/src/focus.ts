// Where keyboard focus goes after an action (issue 14): to the screen's heading or the element the action
// came from, never <body>, where a keyboard or screen-reader user would start again from the top.
import { useEffect, useRef } from 'react';

/** About two seconds at 60 frames a second. */
const HEADING_WAIT_FRAMES = 120;

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
    // After the new screen's first render has committed; a screen still loading gets a few frames
    // (at most HEADING_WAIT_FRAMES) to show its heading.
    let frame = 0;
    let waited = 0;
    const attempt = (): void => {
      // The user (or the screen, for a linked item) already put focus in the new screen: leave it there.
      const active = document.activeElement;
      const main = document.getElementById('main');
      if (selector === null && active instanceof HTMLElement && active !== document.body && active !== main && main?.contains(active) === true) return;
      const target = selector ?? '#main h2';
      if (document.querySelector(target) === null && waited++ < HEADING_WAIT_FRAMES) {
        frame = requestAnimationFrame(attempt);
        return;
      }
      if (selector === null) focusScreenHeading();
      else focusOr(selector);
    };
    frame = requestAnimationFrame(attempt);
    return () => cancelAnimationFrame(frame);
  }, [locationKey]);
}

/**
 * The safety net: when the focused element disappears or is disabled by what it did (a button that
 * posts, imports or closes; a list item that a reload removed), focus would fall to <body>; it goes to
 * the screen's heading instead. A click on empty page is left alone (what had focus is still there).
 */
export function useFocusRescue(): void {
  useEffect(() => {
    let last: HTMLElement | null = null;
    const lost = (): boolean => {
      const active = document.activeElement;
      if (active !== null && active !== document.body) return false;
      if (last === null) return false;
      const gone = !last.isConnected || (last as HTMLButtonElement).disabled === true || last.closest('dialog:not([open])') !== null;
      // Still there and usable: the user moved focus away on purpose (a click on empty page); forget it.
      if (!gone) last = null;
      return gone;
    };
    const check = (): void => {
      if (!lost()) return;
      last = null;
      focusScreenHeading();
    };
    const onFocusIn = (event: FocusEvent): void => {
      if (event.target instanceof HTMLElement) last = event.target;
    };
    const onFocusOut = (): void => void setTimeout(check, 0);
    document.addEventListener('focusin', onFocusIn);
    document.addEventListener('focusout', onFocusOut);
    // Removal and disabling move focus without a focusout in some engines: watch the page change instead.
    const observer = new MutationObserver(check);
    observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled', 'open'] });
    return () => {
      document.removeEventListener('focusin', onFocusIn);
      document.removeEventListener('focusout', onFocusOut);
      observer.disconnect();
    };
  }, []);
}
