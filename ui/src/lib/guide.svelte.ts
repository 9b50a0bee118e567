// The first steps shown on a fresh install (no receipt yet): what the till is and
// the three things to set up. Skippable; the settings show them again.
import { go } from './nav.svelte';

export type GuideTab = 'shop' | 'printers' | 'connection';

export const guide = $state<{ show: boolean; settingsTab: GuideTab | null }>({ show: false, settingsTab: null });

/** A step of the guide: the settings, on the tab that does it. */
export function openStep(tab: GuideTab): void {
  guide.settingsTab = tab;
  go('settings');
}

export function showGuide(): void {
  guide.show = true;
  go('sale');
}
