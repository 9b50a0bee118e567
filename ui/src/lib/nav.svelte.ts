// Which screen is shown: a small state instead of a router.
export type Screen =
  | 'sale'
  | 'cash'
  | 'card'
  | 'qr'
  | 'secucard'
  | 'secucard-pay'
  | 'receipt'
  | 'journal'
  | 'closing'
  | 'drawer'
  | 'settings'
  | 'articles';

/** `locked` while a blocking call must not be left (a card payment on the terminal). */
export const nav = $state<{ screen: Screen; locked: boolean }>({ screen: 'sale', locked: false });

export function go(screen: Screen): void {
  nav.screen = screen;
}
