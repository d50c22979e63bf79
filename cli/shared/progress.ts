/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
export function progress(label: string, total: number): { tick(n?: number): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let count = 0;
  let last = 0;
  const draw = () => {
    const width = 30;
    const filled = total > 0 ? Math.round((count / total) * width) : 0;
    process.stderr.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${count}/${total}`);
  };
  return {
    tick(n = 1) {
      count += n;
      if (!tty) return;
      const now = Date.now();
      if (now - last > 100 || count >= total) {
        last = now;
        draw();
      }
    },
    done() {
      if (tty) {
        draw();
        process.stderr.write("\n");
      }
    },
  };
}
