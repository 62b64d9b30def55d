/**
 * A custom activation from a formula: its plot and symbolic derivative, the range interval
 * arithmetic proves, its properties, and its WGSL and JavaScript source.
 */
import {
  type ElementwiseActivation,
  defineActivation,
  formatInterval,
  ParseError,
  toText,
} from '@activations/core';
import { toJS } from '@activations/cpu-js';
import { grid } from '@activations/plots';
import { toWGSL } from '@activations/webgpu';
import { drawOnBackend, propertiesTable } from './detail.js';
import { debounce, formatNumber, h } from '@activations/web-ui';
import type { Route, State } from './state.js';

type Custom = Extract<Route, { page: 'custom' }>;

function sourceBlock(title: string, code: string, testid: string): HTMLElement {
  const pre = h('pre', { 'data-testid': testid }, code);
  const button = h(
    'button',
    {
      type: 'button',
      onClick: async () => {
        await navigator.clipboard?.writeText(code).catch(() => {});
        button.textContent = 'copied';
      },
    },
    'copy',
  );
  return h('section', { class: 'source' }, h('h3', {}, title, ' ', button), pre);
}

export async function renderCustom(
  root: HTMLElement,
  state: State,
  route: Custom,
  navigate: (s: State, replace?: boolean) => void,
): Promise<void> {
  const input = h(
    'textarea',
    { rows: 2, spellcheck: false, 'data-testid': 'formula-input' },
    route.formula,
  );
  const message = h('p', { class: 'message', 'data-testid': 'formula-message', role: 'status' });
  const plot = h('div', { class: 'plot', 'data-testid': 'custom-plot' });
  const facts = h('div', { class: 'facts' });
  const update = debounce(
    () => navigate({ ...state, route: { ...route, formula: input.value } }, true),
    400,
  );
  input.addEventListener('input', update);
  root.replaceChildren(
    h(
      'div',
      { class: 'page' },
      h('h1', {}, 'Your own activation'),
      h(
        'p',
        { class: 'lead' },
        'Write f in terms of x: + - * / ^, exp, log, log1p, expm1, sqrt, abs, sign, tanh, sigmoid, softplus, erf, erfc, sin, cos, min, max, and c ? a : b with comparisons. The derivative is symbolic, the range is proved by interval arithmetic, and the same definition runs on every backend.',
      ),
      input,
      message,
      h('div', { class: 'detail' }, plot, facts),
    ),
  );
  let act: ElementwiseActivation;
  try {
    act = defineActivation({
      id: 'custom',
      forward: route.formula,
    }).create() as ElementwiseActivation;
  } catch (error) {
    message.textContent =
      error instanceof ParseError || error instanceof Error ? error.message : String(error);
    message.classList.add('error');
    return;
  }
  const x = grid(route.from, route.to);
  const computed = await drawOnBackend(plot, act, x, state.backend, `f(x) = ${route.formula}`);
  message.textContent = `computed on ${computed.backend} in ${computed.ms.toFixed(1)} ms · max |Δ| from the float64 reference ${formatNumber(computed.maxAbs)}`;
  facts.replaceChildren(
    h('h3', {}, 'Derivative (symbolic)'),
    h(
      'pre',
      { 'data-testid': 'custom-derivative' },
      `f'(x) = ${toText(act.expressions.derivative)}`,
    ),
    h('h3', {}, 'Range'),
    h(
      'p',
      { 'data-testid': 'custom-range' },
      `output ${formatInterval(act.bounds.output)}; derivative ${act.bounds.derivative ? formatInterval(act.bounds.derivative) : '—'}`,
    ),
    h('h3', {}, 'Properties'),
    propertiesTable(act),
    sourceBlock('WGSL', toWGSL(act), 'custom-wgsl'),
    sourceBlock('JavaScript', toJS(act), 'custom-js'),
  );
}
