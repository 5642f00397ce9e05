// Page helpers for the browser tests: open a route with the token, collect console problems, save screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import type { RunningServe } from '../../../scripts/lib/serve.mjs';
import { projectRoot } from './environment.js';

/** Screenshots of every screen, kept for people to look at (test-results/ is not cleaned by Playwright). */
export const SCREENSHOT_DIR = join(projectRoot, 'test-results', 'screens');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Opens `route` (a hash route like "/accounts") the way the printed URL does: the token in the fragment. */
export async function openApp(page: Page, serve: RunningServe, route = '/accounts'): Promise<void> {
  await page.goto(`${serve.origin}#${route}?token=${serve.token}`);
}

/** Console errors, page errors and failed responses: a CSP violation or a missing asset shows up here. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  return problems;
}

/** axe over the page as it is: no serious or critical violation (`screen` names it in the failure). */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${screen}: ${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(' | ')}`);
  expect(bad).toEqual([]);
}
