/** What the end-to-end tests read (the last curve drawn), on window.__app. */
export const testHooks: {
  curve?: { id: string; backend: string; x: number[]; f: number[]; df: number[] };
  rendered: number;
} = { rendered: 0 };
(globalThis as { __app?: typeof testHooks }).__app = testHooks;
