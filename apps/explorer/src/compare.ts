/**
 * Several activations on one plot (functions or derivatives), and the textbook table:
 * activation | formula | graph | where it fits.
 */
import { activationSpec, comparisonSpec } from '@activations/plots';
import { registry } from './backends.js';
import { draw } from './chart.js';
import { tex } from './detail.js';
import { h } from '@activations/web-ui';
import type { Route, State } from './state.js';

type Compare = Extract<Route, { page: 'compare' }>;

export async function renderCompare(
  root: HTMLElement,
  state: State,
  route: Compare,
  navigate: (s: State) => void,
): Promise<void> {
  const all = registry.activations();
  const known = new Set(all.map((a) => a.id));
  const ids = route.ids.filter((id) => known.has(id));
  const go = (patch: Partial<Compare>) => navigate({ ...state, route: { ...route, ...patch } });
  const overlay = h('div', { class: 'plot', 'data-testid': 'compare-plot' });
  const table = h(
    'table',
    { class: 'textbook', 'data-testid': 'compare-table' },
    h(
      'tr',
      {},
      h('th', {}, 'Activation'),
      h('th', {}, 'Formula'),
      h('th', {}, 'Graph'),
      h('th', {}, 'Where it fits'),
    ),
  );
  const minis: Array<[HTMLElement, string]> = [];
  for (const a of all) {
    const mini = h('div', { class: 'mini' });
    minis.push([mini, a.id]);
    table.append(
      h(
        'tr',
        {},
        h('td', {}, h('a', { href: `#/a/${a.id}` }, a.docs.name)),
        h('td', {}, tex(a.docs.formula)),
        h('td', {}, mini),
        h('td', {}, a.docs.useCases.join('; ')),
      ),
    );
  }
  root.replaceChildren(
    h(
      'div',
      { class: 'page' },
      h('h1', {}, 'Compare'),
      h(
        'div',
        { class: 'compare' },
        h(
          'div',
          { class: 'picker' },
          h(
            'label',
            {},
            h('input', {
              type: 'checkbox',
              checked: route.derivative,
              'data-testid': 'toggle-derivative',
              onChange: (e: Event) => go({ derivative: (e.target as HTMLInputElement).checked }),
            }),
            ' derivatives',
          ),
          ...all.map((a) =>
            h(
              'label',
              { class: 'check' },
              h('input', {
                type: 'checkbox',
                checked: ids.includes(a.id),
                'data-testid': `pick-${a.id}`,
                onChange: (e: Event) =>
                  go({
                    ids: (e.target as HTMLInputElement).checked
                      ? [...ids, a.id]
                      : ids.filter((i) => i !== a.id),
                  }),
              }),
              ` ${a.id}`,
            ),
          ),
        ),
        overlay,
      ),
      h('h2', {}, 'The catalogue at a glance'),
      table,
    ),
  );
  if (ids.length) {
    await draw(
      overlay,
      comparisonSpec(
        ids.map((id) => registry.activation(id)),
        route.from,
        route.to,
        route.derivative ? 'derivative' : 'forward',
        { width: 500, height: 320 },
      ),
    );
  } else overlay.replaceChildren(h('p', {}, 'Tick some activations to overlay them.'));
  for (const [el, id] of minis)
    await draw(
      el,
      activationSpec(registry.activation(id), -6, 6, {
        compact: true,
        width: 160,
        height: 80,
        title: '',
      }),
      'canvas',
    );
}
