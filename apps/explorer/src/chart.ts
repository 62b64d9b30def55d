/** Draws a Vega-Lite figure into an element, replacing what was there. */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const views = new WeakMap<Element, vega.View>();

export async function draw(
  el: HTMLElement,
  spec: TopLevelSpec,
  renderer: 'svg' | 'canvas' = 'svg',
): Promise<void> {
  views.get(el)?.finalize();
  el.replaceChildren();
  const view = new vega.View(vega.parse(compile(spec).spec), {
    renderer,
    container: el,
    hover: false,
  });
  views.set(el, view);
  await view.runAsync();
  el.dataset.rendered = String(Number(el.dataset.rendered ?? 0) + 1);
}
