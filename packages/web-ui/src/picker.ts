/** The backend picker both web apps show: every backend the registry knows, unavailable ones disabled with the reason. */
import type { Registry } from '@activations/core';
import { h } from './dom.js';

/**
 * Fills `select` with 'auto' and each backend (disabled, with the reason as its title, when it
 * did not initialise) and writes the reasons into `note`.
 */
export async function fillBackendPicker(
  select: HTMLSelectElement,
  note: HTMLElement,
  registry: Registry,
): Promise<void> {
  const statuses = await registry.backendStatus();
  select.replaceChildren(
    h('option', { value: 'auto' }, 'auto'),
    ...statuses.map((s) =>
      h(
        'option',
        { value: s.name, disabled: !s.available, title: s.reason ?? '' },
        s.available ? s.name : `${s.name} (unavailable)`,
      ),
    ),
  );
  note.textContent = statuses
    .filter((s) => !s.available)
    .map((s) => `${s.name}: ${s.reason}`)
    .join(' · ');
}
