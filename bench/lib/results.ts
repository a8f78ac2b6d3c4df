import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes a scenario's figures to bench/results/<file> (gitignored) and says so. */
export async function saveResults(
  projectRoot: string,
  file: string,
  results: unknown,
  log: (line: string) => void,
): Promise<void> {
  const dir = join(projectRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, file), JSON.stringify(results, null, 2) + '\n');
  log(`results written to bench/results/${file}`);
}

/** Runs a benchmark's main and exits with its code (1, with the error, when it throws). */
export function runBench(name: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      console.error(
        `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
      );
      process.exit(1);
    },
  );
}
