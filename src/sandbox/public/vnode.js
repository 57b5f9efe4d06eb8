// A tiny description of DOM nodes: the renderers build these (pure, testable in Node) and the
// page turns them into elements with createElement and textContent, never innerHTML.

/**
 * @param {string} tag
 * @param {Record<string, string | boolean | undefined>} [attrs]
 * @param {...(object | string | null | undefined | false | Array<object | string | null | undefined | false>)} children
 */
export function h(tag, attrs = {}, ...children) {
  const kids = children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false);
  return { tag, attrs, children: kids };
}

/** The text a node shows, as textContent would read it. */
export function textContent(node) {
  if (typeof node === "string") return node;
  return node.children.map(textContent).join("");
}

/** Every node (depth first) for which `test` is true. */
export function findAll(node, test) {
  if (typeof node === "string") return [];
  const here = test(node) ? [node] : [];
  return here.concat(node.children.flatMap((child) => findAll(child, test)));
}
