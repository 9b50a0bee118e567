import { describe, expect, it } from 'vitest';
import generated from './generated/contract.ts?raw';

// Every source file of the UI, read as text (the generated file itself left out).
const sources = import.meta.glob(['../**/*.ts', '../**/*.svelte', '!./generated/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

describe('the command contract', () => {
  it('has one copy of each generated type: no UI file declares it again', () => {
    const names = [...generated.matchAll(/^export type (\w+)/gm)].map((m) => m[1]);
    expect(names).toContain('CompletedSale');
    const copies: string[] = [];
    for (const [path, text] of Object.entries(sources)) {
      for (const name of names) {
        if (new RegExp(`\\b(interface|type)\\s+${name}\\b\\s*[={<]`).test(text)) copies.push(`${path}: ${name}`);
      }
    }
    expect(copies).toEqual([]);
  });
});
