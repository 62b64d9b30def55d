/** What the web apps (explorer, training lab) share. Styles: `import '@activations/web-ui/base.css'`. */
export { debounce, formatNumber, h, list } from './dom.js';
export { fillBackendPicker } from './picker.js';
