/**
 * /static/dom.js — building the page's elements. Text goes in through textContent only: fault details and log
 * lines are data, never markup. Handlers are listeners, never on* attributes (the CSP forbids inline handlers).
 */

type AttrValue = string | number | boolean | null | undefined;
type Handler = (ev: Event) => void;
/** `class`, `text` (the textContent), `on<event>` (a listener), anything else an attribute; null/undefined/false: left out. */
export type Attrs = Record<string, AttrValue | Handler>;
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, children?: readonly Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach((k) => {
      const v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k.indexOf('on') === 0) {
        if (typeof v === 'function') el.addEventListener(k.slice(2), v);
      } else if (typeof v === 'function') {
        throw new TypeError('a handler must be given as on<event>: ' + k);
      } else if (k === 'class') el.className = String(v);
      else if (k === 'text') el.textContent = String(v);
      else el.setAttribute(k, v === true ? '' : String(v));
    });
  }
  (children || []).forEach((c) => {
    if (c === null || c === undefined || c === false) return;
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  });
  return el;
}

/** Replaces el's children. */
export function fill(el: Element, children: readonly (Node | null | undefined | false)[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  children.forEach((c) => {
    if (c) el.appendChild(c);
  });
}

/** An element the page's HTML (static/index-html.ts) always has, of the kind the code expects: anything else is a bug. */
export function byId<T extends HTMLElement = HTMLElement>(id: string, kind?: { new (): T; prototype: T }): T {
  const el = document.getElementById(id);
  if (!el || !(el instanceof (kind || HTMLElement))) throw new Error('the page has no ' + (kind ? kind.name : 'element') + ' #' + id);
  return el as T;
}

/** An element inside root that must be there (see byId). */
export function within(root: ParentNode, selector: string): Element {
  const el = root.querySelector(selector);
  if (!el) throw new Error('the page has no ' + selector);
  return el;
}
