/** One activation: its curve on the chosen backend, parameters, formula, properties and notes. */
import {
  type Activation,
  BadParameterError,
  formatInterval,
  type ParamSpec,
} from '@activations/core';
import { activationSpec, curveCaption, displayName, grid } from '@activations/plots';
import katex from 'katex';
import { type Computed, computeCurve, registry } from './backends.js';
import { draw } from './chart.js';
import { debounce, formatNumber, h, list } from '@activations/web-ui';
import type { Route, State } from './state.js';
import { testHooks } from './hooks.js';

type Detail = Extract<Route, { page: 'detail' }>;

/** LaTeX rendered by KaTeX (errors shown in place, not thrown). */
export function tex(source: string, display = false): HTMLElement {
  const el = h('span', { class: 'tex' });
  el.innerHTML = katex.renderToString(source, { throwOnError: false, displayMode: display });
  return el;
}

/** Slider bounds for a parameter: its declared limits, else a range around the default. */
function sliderRange(spec: ParamSpec): { min: number; max: number; step: number } {
  const spread = Math.max(1, Math.abs(spec.default) * 2);
  let min = spec.min ?? spec.default - spread;
  let max = spec.max ?? spec.default + spread;
  if (!Number.isFinite(min)) min = spec.default - spread;
  if (!Number.isFinite(max)) max = spec.default + spread;
  const step = spec.integer ? 1 : Number(((max - min) / 200).toPrecision(2));
  if (spec.minExclusive) min += step;
  if (spec.maxExclusive) max -= step;
  return { min, max, step };
}

/** Computes f and f′ at x on a backend, draws them, and records the curve for the tests. */
export async function drawOnBackend(
  plot: HTMLElement,
  act: Activation,
  x: Float64Array,
  backend: string,
  title?: string,
): Promise<Computed> {
  const computed = await computeCurve(act, x, backend);
  testHooks.curve = {
    id: act.key,
    backend: computed.backend,
    x: [...computed.curve.x],
    f: [...computed.curve.f],
    df: [...computed.curve.df],
  };
  const from = x[0]!;
  const to = x[x.length - 1]!;
  await draw(
    plot,
    activationSpec(act, from, to, {
      curve: computed.curve,
      width: 500,
      height: 320,
      ...(title ? { title } : {}),
    }),
  );
  return computed;
}

export function propertiesTable(act: Activation): HTMLElement {
  const p = act.properties;
  const rows: Array<[string, string]> = [
    ['output range', formatInterval(act.bounds.output)],
    ['derivative range', act.bounds.derivative ? formatInterval(act.bounds.derivative) : '—'],
    ['monotonic', p.monotonic ? 'yes' : 'no'],
    ['smoothness', p.continuity],
    ['zero-centred', p.zeroCentered ? 'yes' : 'no'],
    ['saturates (vanishing gradient)', p.saturates],
    ['dead-unit risk (zero gradient on a half-line)', p.zeroGradient],
    ['self-normalizing', p.selfNormalizing ? 'yes' : 'no'],
  ];
  return h(
    'table',
    { class: 'props', 'data-testid': 'properties' },
    ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))),
  );
}

export async function renderDetail(
  root: HTMLElement,
  state: State,
  route: Detail,
  navigate: (s: State) => void,
): Promise<void> {
  const definition = registry.definition(route.id);
  let act: Activation;
  let paramError: string | undefined;
  try {
    act = registry.activation(route.id, route.preset ?? route.params);
  } catch (error) {
    if (!(error instanceof BadParameterError)) throw error;
    paramError = error.message;
    act = registry.activation(route.id);
  }
  const go = (patch: Partial<Detail>) => navigate({ ...state, route: { ...route, ...patch } });

  const plot = h('div', { class: 'plot', 'data-testid': 'plot' });
  const status = h('p', { class: 'status', 'data-testid': 'compute-status' }, 'computing …');
  const params = Object.entries(definition.params).filter(([name]) => name !== 'rowLength');
  const sliders = params.map(([name, spec]) => {
    const { min, max, step } = sliderRange(spec);
    const value = act.params[name] ?? spec.default;
    const shown = h('output', {}, formatNumber(value));
    const update = debounce(
      (v: number) => go({ params: { ...act.params, [name]: v }, preset: undefined }),
      120,
    );
    return h(
      'label',
      { class: 'slider' },
      h('span', { class: 'name', title: spec.description }, name),
      h('input', {
        type: 'range',
        min,
        max,
        step,
        value,
        'data-testid': `param-${name}`,
        onInput: (e: Event) => {
          const v = Number((e.target as HTMLInputElement).value);
          shown.textContent = formatNumber(v);
          update(v);
        },
      }),
      shown,
      h('small', {}, spec.description),
    );
  });
  const presets = Object.entries(definition.presets);
  const rangeInput = (which: 'from' | 'to') =>
    h('input', {
      type: 'number',
      value: route[which],
      step: 1,
      'data-testid': `range-${which}`,
      onChange: (e: Event) => {
        const v = Number((e.target as HTMLInputElement).value);
        const next = { from: route.from, to: route.to, [which]: v };
        if (Number.isFinite(v) && next.from < next.to) go(next);
      },
    });

  root.replaceChildren(
    h(
      'div',
      { class: 'page' },
      h('nav', { class: 'crumbs' }, h('a', { href: '#/' }, '← all activations')),
      h(
        'h1',
        {},
        displayName(act),
        h('code', { class: 'id' }, act.id),
        ...act.aliases.map((a) => h('code', { class: 'alias' }, a)),
      ),
      h('p', { class: 'lead' }, act.docs.description),
      paramError ? h('p', { class: 'error', role: 'alert' }, paramError) : null,
      h(
        'div',
        { class: 'detail' },
        h(
          'div',
          { class: 'figure' },
          plot,
          status,
          h(
            'div',
            { class: 'controls' },
            h('label', {}, 'x from ', rangeInput('from')),
            h('label', {}, ' to ', rangeInput('to')),
          ),
          sliders.length
            ? h('div', { class: 'sliders' }, h('h3', {}, 'Parameters'), ...sliders)
            : null,
          presets.length
            ? h(
                'div',
                { class: 'presets' },
                h('h3', {}, 'Framework presets'),
                ...presets.map(([name, p]) =>
                  h(
                    'button',
                    {
                      type: 'button',
                      class: route.preset === name ? 'active' : undefined,
                      title: p.description,
                      onClick: () => go({ preset: name, params: {} }),
                    },
                    name,
                  ),
                ),
                h(
                  'ul',
                  {},
                  ...presets.map(([name, p]) =>
                    h('li', {}, h('b', {}, name), `: ${p.description}`),
                  ),
                ),
              )
            : null,
        ),
        h(
          'aside',
          { class: 'facts' },
          h('h3', {}, 'Formula'),
          h(
            'div',
            { class: 'formula', 'data-testid': 'formula' },
            tex(`f(x) = ${act.docs.formula}`, true),
          ),
          act.docs.derivativeFormula
            ? h('div', { class: 'formula' }, tex(`f'(x) = ${act.docs.derivativeFormula}`, true))
            : null,
          h('h3', {}, 'Properties'),
          propertiesTable(act),
          list('Typical use', act.docs.useCases),
          list('Pros', act.docs.pros),
          list('Cons', act.docs.cons),
          list('Framework conventions', act.docs.conventions),
          list(
            'References',
            act.docs.references.map((r) => `${r.title} (${r.source})`),
          ),
        ),
      ),
    ),
  );

  const x = grid(route.from, route.to);
  try {
    const computed = await drawOnBackend(plot, act, x, state.backend);
    status.textContent = `${x.length} points × (f, f′) on ${computed.backend} in ${computed.ms.toFixed(1)} ms · max |Δ| from the float64 reference ${formatNumber(computed.maxAbs)} (${computed.maxUlps.toFixed(2)} float32 ULP)${computed.note ? ` · ${computed.note}` : ''}${curveCaption(act) ? ` · drawn as ${curveCaption(act)}` : ''}`;
    status.dataset.backend = computed.backend;
  } catch (error) {
    status.textContent = `could not compute on ${state.backend}: ${error instanceof Error ? error.message : String(error)}`;
    status.classList.add('error');
  }
}
