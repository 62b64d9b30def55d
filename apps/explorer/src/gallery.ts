/** Every activation as a card: a small plot of f and f′, its range and where it is used. */
import { activationSpec, shortInterval } from '@activations/plots';
import { registry } from './backends.js';
import { draw } from './chart.js';
import { h } from '@activations/web-ui';
import type { State } from './state.js';
import { toHash } from './state.js';

export async function renderGallery(root: HTMLElement, state: State): Promise<void> {
  const all = registry.activations();
  const cards = all.map((a) => {
    const plot = h('div', { class: 'mini', 'data-testid': `mini-${a.id}` });
    const href = toHash({
      ...state,
      route: { page: 'detail', id: a.id, params: {}, preset: undefined, from: -6, to: 6 },
    });
    return {
      id: a.id,
      plot,
      card: h(
        'a',
        { class: 'card', href, 'data-testid': `card-${a.id}` },
        h('h3', {}, a.docs.name),
        plot,
        h('p', { class: 'range' }, h('code', {}, a.id), ` range ${shortInterval(a.bounds.output)}`),
        h('p', { class: 'use' }, a.docs.useCases[0] ?? ''),
      ),
    };
  });
  root.replaceChildren(
    h(
      'div',
      { class: 'page' },
      h('h1', {}, `${all.length} activation functions`),
      h(
        'p',
        { class: 'lead' },
        'Each with its derivative (dashed) on [-6, 6] and its declared output range (shaded). Pick one for its formula, properties and parameters; compare several; or write your own.',
      ),
      h('div', { class: 'gallery', 'data-testid': 'gallery' }, ...cards.map((c) => c.card)),
    ),
  );
  for (const c of cards) {
    await draw(
      c.plot,
      activationSpec(registry.activation(c.id), -6, 6, {
        compact: true,
        width: 180,
        height: 110,
        title: '',
      }),
      'canvas',
    );
  }
}
