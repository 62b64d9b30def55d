/** The explorer: routes in the URL hash, a backend picker, and one view at a time. */
import 'katex/dist/katex.min.css';
import '@activations/web-ui/base.css';
import './style.css';
import { registry } from './backends.js';
import { renderCompare } from './compare.js';
import { renderCustom } from './custom.js';
import { renderDetail } from './detail.js';
import { fillBackendPicker, h } from '@activations/web-ui';
import { renderGallery } from './gallery.js';
import { testHooks } from './hooks.js';
import { parseHash, type State, toHash } from './state.js';

const root = document.getElementById('app')!;
const select = document.getElementById('backend') as HTMLSelectElement;
const note = document.getElementById('backend-note')!;

function navigate(state: State, replace = false): void {
  const hash = toHash(state);
  if (replace) history.replaceState(null, '', hash);
  else location.hash = hash;
  if (replace) void render();
}

let rendering = Promise.resolve();
async function render(): Promise<void> {
  const state = parseHash(location.hash);
  select.value = state.backend;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]'))
    a.classList.toggle(
      'active',
      a.dataset.nav === state.route.page ||
        (a.dataset.nav === 'gallery' && state.route.page === 'detail'),
    );
  document.body.dataset.ready = 'false';
  try {
    const { route } = state;
    if (route.page === 'detail') await renderDetail(root, state, route, navigate);
    else if (route.page === 'compare') await renderCompare(root, state, route, navigate);
    else if (route.page === 'custom') await renderCustom(root, state, route, navigate);
    else await renderGallery(root, state);
  } catch (error) {
    root.replaceChildren(
      h(
        'p',
        { class: 'error', role: 'alert' },
        error instanceof Error ? error.message : String(error),
      ),
      h('a', { href: '#/' }, 'back to the gallery'),
    );
  }
  testHooks.rendered++;
  document.body.dataset.ready = 'true';
}

async function setUpPicker(): Promise<void> {
  await fillBackendPicker(select, note, registry);
  select.addEventListener('change', () =>
    navigate({ ...parseHash(location.hash), backend: select.value }),
  );
}

window.addEventListener('hashchange', () => {
  rendering = rendering.then(render);
});
await setUpPicker();
rendering = rendering.then(render);
