/**
 * The explorer's state lives in the URL hash, so any view can be shared:
 *   #/                                   gallery
 *   #/a/leaky-relu?negativeSlope=0.2     one activation (parameters, or preset=keras; from, to)
 *   #/compare?ids=relu,gelu&d=1          overlay (d=1: derivatives)
 *   #/custom?f=x*sigmoid(1.702*x)        custom formula
 * plus backend=wasm (default auto) on any of them.
 */

export const DEFAULT_RANGE = { from: -6, to: 6 } as const;
export const DEFAULT_COMPARE = ['sigmoid', 'tanh', 'relu', 'gelu'] as const;
export const DEFAULT_FORMULA = 'x * sigmoid(1.702 * x)';

export type Route =
  | { readonly page: 'gallery' }
  | {
      readonly page: 'detail';
      readonly id: string;
      readonly params: Readonly<Record<string, number>>;
      readonly preset: string | undefined;
      readonly from: number;
      readonly to: number;
    }
  | {
      readonly page: 'compare';
      readonly ids: readonly string[];
      readonly derivative: boolean;
      readonly from: number;
      readonly to: number;
    }
  | {
      readonly page: 'custom';
      readonly formula: string;
      readonly from: number;
      readonly to: number;
    };

export interface State {
  readonly route: Route;
  readonly backend: string;
}

function range(q: URLSearchParams): { from: number; to: number } {
  const from = Number(q.get('from') ?? DEFAULT_RANGE.from);
  const to = Number(q.get('to') ?? DEFAULT_RANGE.to);
  return Number.isFinite(from) && Number.isFinite(to) && from < to
    ? { from, to }
    : { ...DEFAULT_RANGE };
}

const RESERVED = new Set(['backend', 'from', 'to', 'preset']);

export function parseHash(hash: string): State {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const q = new URLSearchParams(query);
  const backend = q.get('backend') ?? 'auto';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'a' && parts[1]) {
    const params: Record<string, number> = {};
    for (const [k, v] of q)
      if (!RESERVED.has(k) && Number.isFinite(Number(v)) && v !== '') params[k] = Number(v);
    return {
      backend,
      route: {
        page: 'detail',
        id: parts[1],
        params,
        preset: q.get('preset') ?? undefined,
        ...range(q),
      },
    };
  }
  if (parts[0] === 'compare') {
    const ids = q.get('ids')?.split(',').filter(Boolean) ?? [...DEFAULT_COMPARE];
    return {
      backend,
      route: { page: 'compare', ids, derivative: q.get('d') === '1', ...range(q) },
    };
  }
  if (parts[0] === 'custom')
    return {
      backend,
      route: { page: 'custom', formula: q.get('f') ?? DEFAULT_FORMULA, ...range(q) },
    };
  return { backend, route: { page: 'gallery' } };
}

export function toHash(state: State): string {
  const q = new URLSearchParams();
  const { route } = state;
  let path = '/';
  const setRange = (r: { from: number; to: number }) => {
    if (r.from !== DEFAULT_RANGE.from || r.to !== DEFAULT_RANGE.to) {
      q.set('from', String(r.from));
      q.set('to', String(r.to));
    }
  };
  if (route.page === 'detail') {
    path = `/a/${encodeURIComponent(route.id)}`;
    if (route.preset) q.set('preset', route.preset);
    else for (const [k, v] of Object.entries(route.params)) q.set(k, String(v));
    setRange(route);
  } else if (route.page === 'compare') {
    path = '/compare';
    q.set('ids', route.ids.join(','));
    if (route.derivative) q.set('d', '1');
    setRange(route);
  } else if (route.page === 'custom') {
    path = '/custom';
    q.set('f', route.formula);
    setRange(route);
  }
  if (state.backend !== 'auto') q.set('backend', state.backend);
  const query = q.toString();
  return `#${path}${query ? `?${query}` : ''}`;
}
