/** Wait for a condition with a deadline: the only way tests synchronise (never a bare sleep). */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
  const reason = lastError instanceof Error ? `: last error ${lastError.message}` : "";
  throw new Error(`timed out waiting for ${options.what ?? "condition"}${reason}`);
}
