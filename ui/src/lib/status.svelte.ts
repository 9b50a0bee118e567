// The status bar's data: polled, so offline/outbox/printer changes show within seconds.
import { api, type AppInfo, type TillStatus } from './api';

export const status = $state<{ info: AppInfo | null; till: TillStatus | null; reachable: boolean }>({
  info: null,
  till: null,
  reachable: true,
});

export async function refreshStatus(): Promise<void> {
  try {
    status.till = await api.tillStatus();
    status.reachable = true;
  } catch {
    // The status command itself failing is shown as offline rather than as an error banner.
    status.reachable = false;
  }
}

export function startStatusPolling(everyMs = 5000): () => void {
  void refreshStatus();
  const id = setInterval(() => void refreshStatus(), everyMs);
  return () => clearInterval(id);
}
