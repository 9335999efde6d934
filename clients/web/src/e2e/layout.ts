import type { Page } from 'playwright-core';

/** The widths the layout is checked at: phone, tablet, small laptop (just past the three columns), desktop. */
export const LAYOUT_WIDTHS = [360, 768, 1100, 1440] as const;

/**
 * What sticks out on the page as laid out now: every visible control (button, input, select, link) whose box
 * leaves the box of its closest card, every card wider inside than outside (`scrollWidth > clientWidth`),
 * and a page that scrolls sideways. Empty when everything fits.
 */
export function findOverflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const SLACK_PX = 0.5;
    const nameOf = (card: Element): string =>
      card.querySelector('h1, h2')?.textContent?.trim() ?? card.className;
    const labelOf = (control: Element): string =>
      control.getAttribute('aria-label') ?? control.getAttribute('name') ?? control.textContent?.trim() ?? '';
    const problems: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) {
      problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth} px`);
    }
    for (const card of Array.from(document.querySelectorAll<HTMLElement>('.card'))) {
      if (card.scrollWidth > card.clientWidth) {
        problems.push(
          `card "${nameOf(card)}": scrollWidth ${card.scrollWidth} > clientWidth ${card.clientWidth}`,
        );
      }
      const outer = card.getBoundingClientRect();
      for (const control of Array.from(card.querySelectorAll('button, input, select, a'))) {
        const box = control.getBoundingClientRect();
        if (control.closest('.card') !== card || (box.width === 0 && box.height === 0)) continue;
        const out =
          box.left < outer.left - SLACK_PX ||
          box.right > outer.right + SLACK_PX ||
          box.top < outer.top - SLACK_PX ||
          box.bottom > outer.bottom + SLACK_PX;
        if (out) {
          problems.push(
            `${control.tagName.toLowerCase()} "${labelOf(control)}" [${box.left.toFixed(1)}, ${box.right.toFixed(1)}] ` +
              `sticks out of card "${nameOf(card)}" [${outer.left.toFixed(1)}, ${outer.right.toFixed(1)}]`,
          );
        }
      }
    }
    return problems;
  });
}
